// Proves that the library wipes what it frees: a checking allocator (this binary replaces
// malloc, free, realloc and friends, under which operator new and delete, OpenSSL and libidn
// allocate) scans every block freed during a login for the password and its derived forms (the
// base64 of PLAIN's and LOGIN's responses, its UTF-16LE form, SCRAM's SaltedPassword) and for
// an OAuth token. Each login runs a real adapter, mechanism and transcript over an in-memory
// transport that keeps what it is sent in secret memory. Under AddressSanitizer the allocator is
// ASan's, so these tests skip there; the plain build runs them.
#include <execinfo.h>
#include <malloc.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "saslkit/adapters/imap/imap_client.h"
#include "saslkit/adapters/pop3/pop3_client.h"
#include "saslkit/adapters/smtp/smtp_client.h"
#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/base/base64.h"
#include "saslkit/net/connection.h"
#include "saslkit/net/transcript.h"
#include "tests/testing/matchers.h"

#if defined(__SANITIZE_ADDRESS__)
#define SASLKIT_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define SASLKIT_UNDER_SANITIZER 1
#endif
#endif
#ifndef SASLKIT_UNDER_SANITIZER
#define SASLKIT_UNDER_SANITIZER 0
#endif

// ---- The checking allocator -------------------------------------------------------------------
// Nothing here may allocate: it runs inside malloc and free.

namespace {

constexpr int kMaxNeedles = 8;
constexpr size_t kMaxNeedle = 64;
constexpr int kMaxFindings = 16;
constexpr int kFrames = 24;

struct Needle {
  unsigned char bytes[kMaxNeedle];
  size_t size;
  const char* what;
};
struct Finding {
  const char* what;
  size_t block_size;
  void* frames[kFrames];
  int depth;
};

Needle needles[kMaxNeedles];
int needle_count = 0;
Finding findings[kMaxFindings];
int finding_count = 0;  // may exceed kMaxFindings; only the first are kept
bool armed = false;
thread_local bool in_hook = false;

[[maybe_unused]] void ScanFreed(const void* block, size_t size) {
  if (!armed || in_hook || block == nullptr) return;
  in_hook = true;
  for (int i = 0; i < needle_count; ++i) {
    if (memmem(block, size, needles[i].bytes, needles[i].size) == nullptr) continue;
    if (finding_count < kMaxFindings) {
      Finding& f = findings[finding_count];
      f.what = needles[i].what;
      f.block_size = size;
      f.depth = backtrace(f.frames, kFrames);
    }
    ++finding_count;
  }
  in_hook = false;
}

}  // namespace

#if !SASLKIT_UNDER_SANITIZER
extern "C" {
void* __libc_malloc(size_t size);
void* __libc_calloc(size_t n, size_t size);
void* __libc_realloc(void* p, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void __libc_free(void* p);

// New blocks are zeroed while armed, so a block can only hold what was written into it since.
static void* Fresh(void* p) {
  if (p != nullptr && armed) std::memset(p, 0, malloc_usable_size(p));
  return p;
}

void* malloc(size_t size) { return Fresh(__libc_malloc(size)); }
void* calloc(size_t n, size_t size) { return __libc_calloc(n, size); }
void free(void* p) {
  if (p != nullptr) ScanFreed(p, malloc_usable_size(p));
  __libc_free(p);
}
// Always moves, and scans the old block: realloc never wipes what it leaves behind.
void* realloc(void* p, size_t size) {
  if (p == nullptr) return malloc(size);
  if (size == 0) {
    free(p);
    return nullptr;
  }
  void* q = Fresh(__libc_malloc(size));
  if (q == nullptr) return nullptr;
  const size_t old = malloc_usable_size(p);
  std::memcpy(q, p, old < size ? old : size);
  free(p);
  return q;
}
void* memalign(size_t alignment, size_t size) { return Fresh(__libc_memalign(alignment, size)); }
void* aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }
int posix_memalign(void** out, size_t alignment, size_t size) {
  void* p = memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
void* valloc(size_t size) { return memalign(static_cast<size_t>(sysconf(_SC_PAGESIZE)), size); }
}  // extern "C"
#endif

namespace saslkit::testing {
namespace {

using ::saslkit::testing::StatusIs;

constexpr std::string_view kUser = "alice";
constexpr std::string_view kPassword = "Pw-wiped-9qZx!";
constexpr std::string_view kToken = "ya29.token-wiped-7Hq";

void AddNeedle(std::string_view bytes, const char* what) {
  ASSERT_LT(needle_count, kMaxNeedles);
  ASSERT_LE(bytes.size(), kMaxNeedle);
  std::memcpy(needles[needle_count].bytes, bytes.data(), bytes.size());
  needles[needle_count].size = bytes.size();
  needles[needle_count].what = what;
  ++needle_count;
}

// Arms the allocator for the lifetime of the object and reports what it found.
class FreedMemoryScan {
 public:
  FreedMemoryScan() {
    void* warm[2];
    backtrace(warm, 2);  // loads libgcc's unwinder now, not inside free()
    finding_count = 0;
    armed = true;
  }
  ~FreedMemoryScan() { armed = false; }

  // Disarms and returns the number of freed blocks that held a needle, printing where.
  int Findings() {
    armed = false;
    for (int i = 0; i < finding_count && i < kMaxFindings; ++i) {
      std::fprintf(stderr, "freed block of %zu octets held %s, freed at:\n", findings[i].block_size,
                   findings[i].what);
      backtrace_symbols_fd(findings[i].frames, findings[i].depth, 2);
    }
    return finding_count;
  }
};

// An in-memory server: answers each client write through `respond` and keeps what it was sent
// in secret memory, so that the test's own records are wiped too.
class WipingTransport final : public Transport {
 public:
  using Respond = std::function<std::string(std::string_view written)>;
  WipingTransport(std::string greeting, Respond respond) : respond_(std::move(respond)) {
    queue_ = std::move(greeting);
    tls_.active = true;  // so the policy lets PLAIN, LOGIN and USER/PASS go
    tls_.protocol = "TLSv1.3";
    tls_.tls_exporter = std::string(32, 'x');
    tls_.tls_server_end_point = std::string(32, 'y');
  }
  absl::Status Write(std::string_view bytes, Sensitivity) override {
    sent_.Append(bytes);
    queue_ += respond_(bytes);
    return absl::OkStatus();
  }
  absl::StatusOr<std::string> ReadLine(size_t, absl::Duration) override {
    size_t lf = queue_.find('\n', pos_);
    if (lf == std::string::npos) return Error(ErrorKind::kConnection, "memory: closed");
    std::string line = queue_.substr(pos_, lf - pos_);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos_ = lf + 1;
    return line;
  }
  absl::StatusOr<std::string> ReadExact(size_t n, absl::Duration) override {
    if (queue_.size() - pos_ < n) return Error(ErrorKind::kConnection, "memory: closed");
    std::string out = queue_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  absl::Status StartTls(const TlsOptions&) override { return absl::OkStatus(); }
  const TlsFacts& tls() const override { return tls_; }
  bool HasBufferedInput() const override { return pos_ < queue_.size(); }
  void Close() override {}
  const SecretBytes& sent() const { return sent_; }

 private:
  Respond respond_;
  std::string queue_;
  size_t pos_ = 0;
  TlsFacts tls_;
  SecretBytes sent_;
};

struct LoginCase {
  int protocol;  // 0 SMTP, 1 POP3, 2 IMAP
  std::vector<std::string> allowed;
  std::string greeting;
  WipingTransport::Respond respond;
  ErrorKind outcome = ErrorKind::kNone;  // how the login ends
};

// Runs the login of `c` with a transcript; returns the login's status. Everything it allocates
// is freed before it returns.
absl::Status RunLogin(const LoginCase& c, std::string_view password) {
  auto wire = std::make_unique<WipingTransport>(c.greeting, c.respond);
  auto entries = std::make_shared<std::vector<std::string>>();
  Transcript transcript([entries](const TranscriptEntry& e) { entries->push_back(e.text); });
  ServerOptions server{.host = "mail.example.com", .port = 587, .tls_mode = TlsMode::kImplicit};
  Connection connection(std::move(wire), server, transcript);
  Credentials credentials;
  credentials.username = std::string(kUser);
  credentials.password = SecretString(password);
  credentials.token = FixedToken(SecretString(kToken));
  Registry registry = BuiltinRegistry();
  SelectionPolicy policy(PolicyOptions{.allowed = c.allowed});
  LoginRequest request{.credentials = &credentials, .registry = &registry, .policy = &policy};
  absl::Status status;
  if (c.protocol == 0) {
    auto client = SmtpClient::Open(std::move(connection));
    status = client.ok() ? (*client)->Authenticate(request).status() : client.status();
  } else if (c.protocol == 1) {
    auto client = Pop3Client::Open(std::move(connection));
    status = client.ok() ? (*client)->Authenticate(request).status() : client.status();
  } else {
    auto client = ImapClient::Open(std::move(connection));
    status = client.ok() ? (*client)->Authenticate(request).status() : client.status();
  }
  for (const std::string& line : *entries) {
    EXPECT_EQ(line.find(password), std::string::npos) << "the password in the transcript";
  }
  EXPECT_EQ(std::string(status.message()).find(password), std::string::npos);
  return status;
}

// ---- Servers ----------------------------------------------------------------------------------

bool Starts(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

LoginCase Smtp(std::string mechanism, WipingTransport::Respond auth,
               ErrorKind outcome = ErrorKind::kNone) {
  return LoginCase{0,
                   {mechanism},
                   "220 memory ESMTP\r\n",
                   [mechanism, auth](std::string_view w) -> std::string {
                     if (Starts(w, "EHLO")) return "250-memory\r\n250 AUTH " + mechanism + "\r\n";
                     return auth(w);
                   },
                   outcome};
}

// A server for one SASL exchange: the Nth client line after EHLO gets replies[N].
WipingTransport::Respond Replies(std::vector<std::string> replies) {
  auto next = std::make_shared<size_t>(0);
  return [replies, next](std::string_view) {
    return *next < replies.size() ? replies[(*next)++] : std::string();
  };
}

std::string ScramServerFirst(std::string_view auth_line) {
  // "AUTH SCRAM-SHA-256 <base64 of n,,n=alice,r=NONCE>"
  auto client_first = Base64Decode(
      auth_line.substr(auth_line.rfind(' ') + 1, auth_line.find('\r') - auth_line.rfind(' ') - 1));
  if (!client_first.ok()) return "535 bad\r\n";
  const std::string nonce = client_first->substr(client_first->find("r=") + 2);
  return "334 " + Base64Encode("r=" + nonce + "srv,s=" + Base64Encode("salt-0123") + ",i=4096") +
         "\r\n";
}

std::string SaltedPassword(std::string_view password, const EVP_MD* md = EVP_sha256()) {
  unsigned char out[EVP_MAX_MD_SIZE];
  const int size = EVP_MD_get_size(md);
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>("salt-0123"), 9, 4096, md, size, out);
  return std::string(reinterpret_cast<char*>(out), static_cast<size_t>(size));
}

// Returns UTF-8 `text` (within the Basic Multilingual Plane) as UTF-16LE.
std::string Utf16Le(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    uint32_t cp = c;
    size_t n = 1;
    if (c >= 0xe0) {
      cp = (c & 0x0f) << 12 | (text[i + 1] & 0x3f) << 6 | (text[i + 2] & 0x3f), n = 3;
    } else if (c >= 0xc0) {
      cp = (c & 0x1f) << 6 | (text[i + 1] & 0x3f), n = 2;
    }
    out += static_cast<char>(cp & 0xff);
    out += static_cast<char>(cp >> 8);
    i += n;
  }
  return out;
}

const std::string kNtlmChallenge = [] {
  std::string info(
      "\x02\x00\x0c\x00"
      "D\0o\0m\0a\0i\0n\0"
      "\x01\x00\x0c\x00"
      "S\0e\0r\0v\0e\0r\0"
      "\x00\x00\x00\x00",
      36);
  std::string m("NTLMSSP\0\x02\0\0\0\0\0\0\0\x30\0\0\0\x33\x82\x8a\xe2", 24);
  m += std::string("\x01\x23\x45\x67\x89\xab\xcd\xef", 8) + std::string(8, '\0');
  m += std::string("\x24\x00\x24\x00\x30\x00\x00\x00", 8);
  return m + info;
}();

std::vector<LoginCase> Cases() {
  return {
      Smtp("PLAIN", Replies({"235 ok\r\n"})),
      Smtp("LOGIN", Replies({"334 VXNlcm5hbWU6\r\n", "334 UGFzc3dvcmQ6\r\n", "235 ok\r\n"})),
      Smtp("CRAM-MD5", Replies({"334 " + Base64Encode("<1.2@memory>") + "\r\n", "235 ok\r\n"})),
      Smtp("DIGEST-MD5",
           Replies({"334 " +
                        Base64Encode("realm=\"memory\",nonce=\"abc\",qop=\"auth\","
                                     "algorithm=md5-sess,charset=utf-8") +
                        "\r\n",
                    "535 no\r\n"}),
           ErrorKind::kRejected),
      Smtp(
          "SCRAM-SHA-256",
          [](std::string_view w) -> std::string {
            if (Starts(w, "AUTH")) return ScramServerFirst(w);
            return "535 no\r\n";
          },
          ErrorKind::kRejected),
      Smtp(
          "SCRAM-SHA-512",
          [](std::string_view w) -> std::string {
            if (Starts(w, "AUTH")) return ScramServerFirst(w);
            return "535 no\r\n";
          },
          ErrorKind::kRejected),
      Smtp("NTLM", Replies({"334 " + Base64Encode(kNtlmChallenge) + "\r\n", "235 ok\r\n"})),
      Smtp("XOAUTH2", Replies({"235 ok\r\n"})),
      LoginCase{1,
                {"+USER"},
                "+OK memory <1.2@memory>\r\n",
                [](std::string_view w) -> std::string {
                  if (Starts(w, "CAPA")) return "+OK\r\nUSER\r\n.\r\n";
                  return "+OK\r\n";
                }},
      LoginCase{1,
                {"+APOP"},
                "+OK memory <1.2@memory>\r\n",
                [](std::string_view w) -> std::string {
                  if (Starts(w, "CAPA")) return "+OK\r\nUSER\r\n.\r\n";
                  return "+OK\r\n";
                }},
      LoginCase{2,
                {"+LOGIN"},
                "* OK [CAPABILITY IMAP4rev1] memory\r\n",
                [](std::string_view w) -> std::string {
                  // A synchronising literal (a non-ASCII password) waits for "+".
                  if (w.size() >= 3 && w.substr(w.size() - 3) == "}\r\n") return "+ go on\r\n";
                  return "A001 OK [CAPABILITY IMAP4rev1] in\r\n";
                }},
  };
}

void ArmNeedles(std::string_view password) {
  needle_count = 0;
  AddNeedle(password, "the password");
  const std::string plain =
      std::string("\0", 1) + std::string(kUser) + '\0' + std::string(password);
  AddNeedle(Base64Encode(plain), "PLAIN's response in base64");
  AddNeedle(Base64Encode(password), "LOGIN's password response in base64");
  AddNeedle(Utf16Le(password), "the password in UTF-16LE (NTLM)");
  AddNeedle(SaltedPassword(password), "SCRAM-SHA-256's SaltedPassword");
  AddNeedle(SaltedPassword(password, EVP_sha512()), "SCRAM-SHA-512's SaltedPassword");
  AddNeedle(kToken, "the OAuth token");
}

TEST(SecretMemoryTest, FreedMemoryHoldsNoPasswordAfterEveryLogin) {
  if (SASLKIT_UNDER_SANITIZER) GTEST_SKIP() << "the sanitizer owns the allocator";
  ArmNeedles(kPassword);
  for (const LoginCase& c : Cases()) {
    int found = 0;
    {
      FreedMemoryScan scan;
      EXPECT_THAT(RunLogin(c, kPassword), StatusIs(c.outcome)) << c.allowed[0];
      found = scan.Findings();
    }
    EXPECT_EQ(found, 0) << c.allowed[0] << ": freed blocks held a secret (stacks above)";
  }
}

TEST(SecretMemoryTest, FreedMemoryHoldsNoNonAsciiPassword) {
  // SCRAM is left out: it SASLpreps a non-ASCII password with libidn, whose NFKC step
  // (stringprep_ucs4_nfkc_normalize) frees a UTF-8 copy without wiping it; nothing the caller of
  // stringprep_profile can wipe. ASCII passwords take SaslPrep's fast path (the test above).
  if (SASLKIT_UNDER_SANITIZER) GTEST_SKIP() << "the sanitizer owns the allocator";
  const std::string password =
      "p\xc3\xa4ssw\xc3\xb6rd-\xe2\x82\xac"
      "9";
  ArmNeedles(password);
  for (const LoginCase& c : Cases()) {
    if (c.allowed[0].starts_with("SCRAM-")) continue;
    int found = 0;
    {
      FreedMemoryScan scan;
      EXPECT_THAT(RunLogin(c, password), StatusIs(c.outcome)) << c.allowed[0];
      found = scan.Findings();
    }
    EXPECT_EQ(found, 0) << c.allowed[0] << ": freed blocks held a secret (stacks above)";
  }
}

TEST(SecretMemoryTest, TheScanFindsAnUnwipedCopy) {
  // The control: a plain std::string copy of the password, freed without wiping, is found.
  if (SASLKIT_UNDER_SANITIZER) GTEST_SKIP() << "the sanitizer owns the allocator";
  ArmNeedles(kPassword);
  FreedMemoryScan scan;
  {
    auto* leaked = new std::string(std::string(kPassword) + " and more, on the heap");
    delete leaked;
  }
  EXPECT_GE(scan.Findings(), 1);
}

TEST(SecretMemoryTest, TheScanSeesFreesInsideTheLibrary) {
  // The control for frees in libsaslkit: a transcript told to show secrets formats the line in
  // an ordinary string, which the library frees after handing it to the sink.
  if (SASLKIT_UNDER_SANITIZER) GTEST_SKIP() << "the sanitizer owns the allocator";
  ArmNeedles(kPassword);
  Transcript transcript([](const TranscriptEntry&) {}, TranscriptOptions{.show_secrets = true});
  SecretBytes line("PASS ");
  line.Append(kPassword).Append(" and enough text to leave the small-string buffer\r\n");
  FreedMemoryScan scan;
  transcript.RecordWrite(line.view(), Sensitivity::kSecret);
  EXPECT_GE(scan.Findings(), 1);
}

}  // namespace
}  // namespace saslkit::testing
