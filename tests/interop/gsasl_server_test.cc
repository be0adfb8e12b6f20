// saslkit's client mechanisms against GNU SASL's server (libgsasl 2.2, the library behind
// `gsasl --server`), in process: one library context per test whose callback supplies the
// users' passwords and the channel bindings. GNU SASL's server has PLAIN, LOGIN, CRAM-MD5,
// DIGEST-MD5, SCRAM-SHA-1/-256 with -PLUS on tls-unique or tls-exporter, ANONYMOUS
// and EXTERNAL; its NTLM is client-only, so NTLM is tested against Cyrus alone.
//
// DIGEST-MD5 user names: GNU SASL hashes the user name as sent (UTF-8) but the password as
// ISO-8859-1 when it fits, where RFC 2831 2.1.2.1 and saslkit convert both; an ASCII user name
// (the usual case) makes no difference.
#include <gsasl.h>

#include <cstring>
#include <map>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "saslkit/mechanisms/anonymous.h"
#include "saslkit/mechanisms/cram_md5.h"
#include "saslkit/mechanisms/digest_md5/digest_md5.h"
#include "saslkit/mechanisms/external.h"
#include "saslkit/mechanisms/login_mechanism.h"
#include "saslkit/mechanisms/ntlm/ntlm.h"
#include "saslkit/mechanisms/plain.h"
#include "saslkit/mechanisms/scram/scram.h"
#include "saslkit/base/base64.h"
#include "tests/interop/interop_harness.h"
#include "tests/testing/matchers.h"

namespace saslkit::testing {
namespace {

const std::map<std::string, std::string>& Passwords() {
  static const auto* const passwords = new std::map<std::string, std::string>{
      {kAlice.name, kAlice.password}, {kBob.name, kBob.password}, {kChen.name, kChen.password},
      {kJurgen.name, kJurgen.password}};
  return *passwords;
}

struct GsaslOptions {
  std::optional<std::string> tls_unique;    // GSASL_CB_TLS_UNIQUE, raw bytes
  std::optional<std::string> tls_exporter;  // GSASL_CB_TLS_EXPORTER, raw bytes
  std::optional<std::string> qops;          // GSASL_QOPS, e.g. "qop-auth,qop-int"
};

// One GNU SASL library context and server session running one mechanism.
class GsaslServer final : public InteropServer {
 public:
  explicit GsaslServer(std::string mechanism, GsaslOptions options = {})
      : mechanism_(std::move(mechanism)), options_(std::move(options)) {
    EXPECT_EQ(gsasl_init(&context_), GSASL_OK);
    gsasl_callback_set(context_, &Callback);
  }
  GsaslServer(const GsaslServer&) = delete;
  GsaslServer& operator=(const GsaslServer&) = delete;
  ~GsaslServer() override {
    if (session_ != nullptr) gsasl_finish(session_);
    if (context_ != nullptr) gsasl_done(context_);
  }

  std::string_view library() const override { return "GNU SASL"; }

  ServerReply Start(std::optional<std::string_view> initial_response) override {
    const int rc = gsasl_server_start(context_, mechanism_.c_str(), &session_);
    if (rc != GSASL_OK) return Failure(rc);
    gsasl_session_hook_set(session_, this);
    gsasl_property_set(session_, GSASL_SERVICE, kService);
    gsasl_property_set(session_, GSASL_HOSTNAME, kServerFqdn);
    // Without an initial response the first step runs on no input (a server-first mechanism).
    return Step(initial_response.value_or(std::string_view()));
  }

  ServerReply Step(std::string_view response) override {
    char* out = nullptr;
    size_t out_length = 0;
    const int rc = gsasl_step(session_, response.data(), response.size(), &out, &out_length);
    ServerReply reply;
    if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE) {
      gsasl_free(out);
      return Failure(rc);
    }
    reply.code = rc;
    reply.verdict =
        rc == GSASL_OK ? ServerReply::Verdict::kSuccess : ServerReply::Verdict::kContinue;
    if (out != nullptr) reply.data.assign(out, out_length);
    gsasl_free(out);
    return reply;
  }

  // Returns the authentication identity GNU SASL saw (GSASL_AUTHID), or "".
  std::string user() const {
    const char* user = session_ != nullptr ? gsasl_property_fast(session_, GSASL_AUTHID) : nullptr;
    return user != nullptr ? user : "";
  }
  // Returns the ANONYMOUS trace the server was asked to validate, or "".
  const std::string& anonymous_token() const { return anonymous_token_; }

 private:
  static ServerReply Failure(int rc) {
    ServerReply reply;
    reply.verdict = ServerReply::Verdict::kFailure;
    reply.code = rc;
    reply.reason = std::string(gsasl_strerror_name(rc)) + ": " + gsasl_strerror(rc);
    return reply;
  }

  static int Callback(Gsasl*, Gsasl_session* session, Gsasl_property property) {
    auto* self = static_cast<GsaslServer*>(gsasl_session_hook_get(session));
    if (self == nullptr) return GSASL_NO_CALLBACK;
    switch (property) {
      case GSASL_PASSWORD: {
        const char* authid = gsasl_property_fast(session, GSASL_AUTHID);
        if (authid == nullptr) return GSASL_NO_AUTHID;
        auto it = Passwords().find(authid);
        if (it == Passwords().end()) return GSASL_AUTHENTICATION_ERROR;
        return gsasl_property_set(session, GSASL_PASSWORD, it->second.c_str());
      }
      case GSASL_REALM:
        return gsasl_property_set(session, GSASL_REALM, kServerFqdn);
      case GSASL_QOPS:
        if (!self->options_.qops.has_value()) return GSASL_NO_CALLBACK;
        return gsasl_property_set(session, GSASL_QOPS, self->options_.qops->c_str());
      case GSASL_CB_TLS_UNIQUE:
        if (!self->options_.tls_unique.has_value()) return GSASL_NO_CALLBACK;
        return gsasl_property_set(session, GSASL_CB_TLS_UNIQUE,
                                  Base64Encode(*self->options_.tls_unique).c_str());
      case GSASL_CB_TLS_EXPORTER:
        if (!self->options_.tls_exporter.has_value()) return GSASL_NO_CALLBACK;
        return gsasl_property_set(session, GSASL_CB_TLS_EXPORTER,
                                  Base64Encode(*self->options_.tls_exporter).c_str());
      case GSASL_VALIDATE_ANONYMOUS: {
        const char* token = gsasl_property_fast(session, GSASL_ANONYMOUS_TOKEN);
        self->anonymous_token_ = token != nullptr ? token : "";
        return GSASL_OK;
      }
      case GSASL_VALIDATE_EXTERNAL: {
        // The TLS layer vouched for the client; only an empty authzid or its own is accepted.
        const char* authzid = gsasl_property_fast(session, GSASL_AUTHZID);
        return authzid == nullptr || std::strcmp(authzid, "") == 0 ||
                       std::strcmp(authzid, "alice") == 0
                   ? GSASL_OK
                   : GSASL_AUTHENTICATION_ERROR;
      }
      default:
        return GSASL_NO_CALLBACK;  // e.g. GSASL_VALIDATE_SIMPLE: GNU SASL compares passwords
    }
  }

  const std::string mechanism_;
  const GsaslOptions options_;
  Gsasl* context_ = nullptr;
  Gsasl_session* session_ = nullptr;
  std::string anonymous_token_;
};

const std::string kTlsExporter(32, '\x7e');

std::string CaseName(const ::testing::TestParamInfo<MechanismCase>& info) {
  std::string name = info.param.name;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

class GsaslPasswordMechanismTest : public ::testing::TestWithParam<MechanismCase> {};

TEST_P(GsaslPasswordMechanismTest, Authenticates) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  GsaslServer server(GetParam().name);
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), "alice");
}

TEST_P(GsaslPasswordMechanismTest, WrongPasswordIsRejectedAsAuthenticationError) {
  ClientSetup client = Client(GetParam().info(), User{"alice", "Tr0ub4dor&4"});
  GsaslServer server(GetParam().name);
  EXPECT_THAT(RunInterop(client, server),
              StatusIs(ErrorKind::kRejected, "GSASL_AUTHENTICATION_ERROR"));
}

TEST_P(GsaslPasswordMechanismTest, AuthenticatesWithIso88591Password) {
  ClientSetup client = Client(GetParam().info(), kBob);
  GsaslServer server(GetParam().name);
  EXPECT_OK(RunInterop(client, server));
}

TEST_P(GsaslPasswordMechanismTest, AuthenticatesWithUtf8Password) {
  ClientSetup client = Client(GetParam().info(), kChen);
  GsaslServer server(GetParam().name);
  EXPECT_OK(RunInterop(client, server));
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, GsaslPasswordMechanismTest,
                         ::testing::Values(MechanismCase{"PLAIN", PlainMechanism},
                                           MechanismCase{"LOGIN", LoginMechanism},
                                           MechanismCase{"CRAM-MD5", CramMd5Mechanism},
                                           MechanismCase{"DIGEST-MD5", DigestMd5Mechanism},
                                           MechanismCase{"SCRAM-SHA-1", ScramSha1Mechanism},
                                           MechanismCase{"SCRAM-SHA-256", ScramSha256Mechanism}),
                         CaseName);

// GNU SASL knows NTLM (gsasl_server_support_p says yes) but has only its client side.
TEST(GsaslMechanismsTest, NtlmHasNoServerSide) {
  ClientSetup client = Client(NtlmMechanism(), kAlice);
  GsaslServer server("NTLM");
  EXPECT_THAT(RunInterop(client, server), StatusIs(ErrorKind::kRejected, "GSASL_NO_SERVER_CODE"));
}

// RFC 2831 2.1.2.1, as GNU SASL implements it for the password: hashed as ISO-8859-1 when it
// fits. Hashing its UTF-8 bytes (Dovecot's way) does not match.
TEST(GsaslDigestMd5Test, Utf8HashedPasswordDoesNotMatchGsasl) {
  ClientSetup client = Client(DigestMd5Mechanism(), kBob);
  client.options.Mutable<DigestMd5Options>().hash_latin1 = false;
  GsaslServer server("DIGEST-MD5");
  EXPECT_THAT(RunInterop(client, server),
              StatusIs(ErrorKind::kRejected, "GSASL_AUTHENTICATION_ERROR"));
}

// GNU SASL hashes the user name's UTF-8 bytes even when they fit ISO-8859-1 (see the top), so
// "jürgen" fails with saslkit's RFC hashing, and succeeds with UTF-8 hashing when the password
// is ASCII (where the two hashings agree on it).
TEST(GsaslDigestMd5Test, Iso88591UserNameIsHashedAsUtf8ByGsasl) {
  ClientSetup client = Client(DigestMd5Mechanism(), kJurgen);
  GsaslServer server("DIGEST-MD5");
  EXPECT_THAT(RunInterop(client, server),
              StatusIs(ErrorKind::kRejected, "GSASL_AUTHENTICATION_ERROR"));
}

TEST(GsaslDigestMd5Test, Iso88591UserNameWithUtf8Hashing) {
  ClientSetup client = Client(DigestMd5Mechanism(), kJurgen);
  client.options.Mutable<DigestMd5Options>().hash_latin1 = false;
  GsaslServer server("DIGEST-MD5");
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), kJurgen.name);
}

TEST(GsaslDigestMd5Test, ChoosesAuthWhenIntegrityIsOffered) {
  ClientSetup client = Client(DigestMd5Mechanism(), kAlice);
  GsaslServer server("DIGEST-MD5", GsaslOptions{.qops = "qop-auth,qop-int"});
  EXPECT_OK(RunInterop(client, server));
}

TEST(GsaslDigestMd5Test, AuthorizationIdentityOfItself) {
  ClientSetup client = Client(DigestMd5Mechanism(), kAlice);
  client.credentials.authzid = "alice";
  GsaslServer server("DIGEST-MD5");
  EXPECT_OK(RunInterop(client, server));
}

TEST(GsaslDigestMd5Test, RspauthWithSuccess) {
  ClientSetup client = Client(DigestMd5Mechanism(), kAlice);
  GsaslServer server("DIGEST-MD5");
  EXPECT_OK(RunInterop(client, server, {.final_data = FinalData::kWithSuccess}));
}

TEST(GsaslDigestMd5Test, AlteredRspauthIsServerUnverified) {
  ClientSetup client = Client(DigestMd5Mechanism(), kAlice);
  GsaslServer server("DIGEST-MD5");
  EXPECT_THAT(RunInterop(client, server, {.alter_server_data = AlterProof}),
              StatusIs(ErrorKind::kServerUnverified, "rspauth"));
}

TEST(GsaslScramTest, ServerFinalWithSuccess) {
  for (const MechanismCase& m : {MechanismCase{"SCRAM-SHA-1", ScramSha1Mechanism},
                                 MechanismCase{"SCRAM-SHA-256", ScramSha256Mechanism}}) {
    SCOPED_TRACE(m.name);
    ClientSetup client = Client(m.info(), kAlice);
    GsaslServer server(m.name);
    EXPECT_OK(RunInterop(client, server, {.final_data = FinalData::kWithSuccess}));
  }
}

TEST(GsaslScramTest, AlteredServerSignatureIsServerUnverified) {
  for (const MechanismCase& m : {MechanismCase{"SCRAM-SHA-1", ScramSha1Mechanism},
                                 MechanismCase{"SCRAM-SHA-256", ScramSha256Mechanism}}) {
    SCOPED_TRACE(m.name);
    ClientSetup client = Client(m.info(), kAlice);
    GsaslServer server(m.name);
    EXPECT_THAT(RunInterop(client, server, {.alter_server_data = AlterProof}),
                StatusIs(ErrorKind::kServerUnverified, "server signature"));
  }
}

TEST(GsaslScramTest, AuthorizationIdentityOfItself) {
  ClientSetup client = Client(ScramSha256Mechanism(), kAlice);
  client.credentials.authzid = "alice";
  GsaslServer server("SCRAM-SHA-256");
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), "alice");
}

class GsaslScramPlusTest : public ::testing::TestWithParam<MechanismCase> {};

TEST_P(GsaslScramPlusTest, AuthenticatesWithTlsUnique) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls12WithUnique(kTlsUnique);
  client.options.channel_binding = ChannelBindingType::kTlsUnique;
  client.server_offers_plus = true;
  GsaslServer server(GetParam().name, GsaslOptions{.tls_unique = kTlsUnique});
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), "alice");
}

TEST_P(GsaslScramPlusTest, ChoosesTlsUniqueOnTls12ByDefault) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls12WithUnique(kTlsUnique);
  client.tls.tls_server_end_point = std::string(32, '\x5a');
  client.server_offers_plus = true;
  GsaslServer server(GetParam().name, GsaslOptions{.tls_unique = kTlsUnique});
  EXPECT_OK(RunInterop(client, server));
}

TEST_P(GsaslScramPlusTest, MismatchedTlsUniqueIsRejected) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls12WithUnique(kOtherTlsUnique);
  client.options.channel_binding = ChannelBindingType::kTlsUnique;
  client.server_offers_plus = true;
  GsaslServer server(GetParam().name, GsaslOptions{.tls_unique = kTlsUnique});
  EXPECT_THAT(RunInterop(client, server),
              StatusIs(ErrorKind::kRejected, "GSASL_AUTHENTICATION_ERROR"));
}

TEST_P(GsaslScramPlusTest, WrongPasswordIsRejected) {
  ClientSetup client = Client(GetParam().info(), User{"alice", "Tr0ub4dor&4"});
  client.tls = Tls12WithUnique(kTlsUnique);
  client.options.channel_binding = ChannelBindingType::kTlsUnique;
  client.server_offers_plus = true;
  GsaslServer server(GetParam().name, GsaslOptions{.tls_unique = kTlsUnique});
  EXPECT_THAT(RunInterop(client, server),
              StatusIs(ErrorKind::kRejected, "GSASL_AUTHENTICATION_ERROR"));
}

// TLS 1.3 (RFC 9266): saslkit binds to tls-exporter there by default, as GNU SASL 2 expects.
TEST_P(GsaslScramPlusTest, AuthenticatesWithTlsExporterOnTls13) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls13WithExporter(kTlsExporter);
  client.server_offers_plus = true;
  GsaslServer server(GetParam().name, GsaslOptions{.tls_exporter = kTlsExporter});
  EXPECT_OK(RunInterop(client, server));
}

TEST_P(GsaslScramPlusTest, MismatchedTlsExporterIsRejected) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls13WithExporter(std::string(32, '\x7f'));
  client.server_offers_plus = true;
  GsaslServer server(GetParam().name, GsaslOptions{.tls_exporter = kTlsExporter});
  EXPECT_THAT(RunInterop(client, server),
              StatusIs(ErrorKind::kRejected, "GSASL_AUTHENTICATION_ERROR"));
}

INSTANTIATE_TEST_SUITE_P(
    Mechanisms, GsaslScramPlusTest,
    ::testing::Values(MechanismCase{"SCRAM-SHA-1-PLUS", ScramSha1PlusMechanism},
                      MechanismCase{"SCRAM-SHA-256-PLUS", ScramSha256PlusMechanism}),
    CaseName);

// The non-PLUS variants on TLS: "n" after seeing -PLUS offered is accepted; "y" (we could bind,
// and believe you cannot) is refused by a server that has binding data (RFC 5802 6).
class GsaslScramBindingFlagTest : public ::testing::TestWithParam<MechanismCase> {};

TEST_P(GsaslScramBindingFlagTest, AuthenticatesWhenPlusWasSeen) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls12WithUnique(kTlsUnique);
  client.server_offers_plus = true;
  GsaslServer server(GetParam().name, GsaslOptions{.tls_unique = kTlsUnique});
  EXPECT_OK(RunInterop(client, server));
}

TEST_P(GsaslScramBindingFlagTest, StrippedPlusIsDetectedByTheServer) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls12WithUnique(kTlsUnique);
  client.server_offers_plus = false;
  GsaslServer server(GetParam().name, GsaslOptions{.tls_unique = kTlsUnique});
  EXPECT_THAT(RunInterop(client, server),
              StatusIs(ErrorKind::kRejected, "GSASL_AUTHENTICATION_ERROR"));
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, GsaslScramBindingFlagTest,
                         ::testing::Values(MechanismCase{"SCRAM-SHA-1", ScramSha1Mechanism},
                                           MechanismCase{"SCRAM-SHA-256", ScramSha256Mechanism}),
                         CaseName);

TEST(GsaslAnonymousTest, AuthenticatesWithTrace) {
  ClientSetup client(AnonymousMechanism());
  client.credentials.Mutable<AnonymousCredentials>().trace = "sirhc@example.test";
  GsaslServer server("ANONYMOUS");
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.anonymous_token(), "sirhc@example.test");
}

TEST(GsaslExternalTest, Authenticates) {
  ClientSetup client(ExternalMechanism());
  client.tls = Tls12WithUnique(kTlsUnique);
  GsaslServer server("EXTERNAL");
  EXPECT_OK(RunInterop(client, server));
}

TEST(GsaslExternalTest, ForeignAuthorizationIdentityIsRejected) {
  ClientSetup client(ExternalMechanism());
  client.tls = Tls12WithUnique(kTlsUnique);
  client.credentials.authzid = "mallory";
  GsaslServer server("EXTERNAL");
  EXPECT_THAT(RunInterop(client, server),
              StatusIs(ErrorKind::kRejected, "GSASL_AUTHENTICATION_ERROR"));
}

}  // namespace
}  // namespace saslkit::testing
