// The OAuth part as a user links it: `pkg-config --cflags --libs saslkit-oauth` (libsaslkit-oauth,
// which alone needs libcurl). Made, never asked: no network.
#include <saslkit/oauth/refresh.h>

#include <cstdio>
#include <memory>

int main() {
  std::shared_ptr<saslkit::TokenSource> refresh = saslkit::RefreshTokenSource({});
  std::printf("refresh token source: %s\n", refresh->CanRefresh() ? "yes" : "no");
  return refresh->CanRefresh() ? 0 : 1;
}
