// saslkit's client mechanisms against Cyrus SASL's server (libsasl2 2.1.28, the library behind
// Cyrus imapd and Postfix's `smtpd_sasl_type = cyrus`), in process: a private configuration
// (no /etc/sasl2 file), users in a temporary sasldb, one server connection per test. Each
// mechanism must authenticate, and a wrong password must end in kRejected with Cyrus's
// SASL_BADAUTH (not a protocol error); SCRAM -PLUS is bound to tls-unique, as Cyrus imapd binds.
#include <openssl/evp.h>
#include <sasl/sasl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
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
#include "tests/interop/interop_harness.h"
#include "tests/testing/matchers.h"

namespace saslkit::testing {
namespace {

constexpr User kUsers[] = {kAlice, kBob, kChen, kJurgen};

// SCRAM over SHA-384, which saslkit does not build in but Cyrus offers: made with the toolkit.
MechanismInfo ScramSha384Mechanism() { return ScramMechanism("SCRAM-SHA-384", EVP_sha384()); }
MechanismInfo ScramSha384PlusMechanism() {
  return ScramMechanism("SCRAM-SHA-384-PLUS", EVP_sha384(), ScramBinding::kPlus);
}

// The library is initialised once per process; its options come from `GetOption`, never from
// a file, and its users live in a sasldb under a private temporary directory.
class CyrusLibrary : public ::testing::Environment {
 public:
  void SetUp() override {
    std::string dir = (std::filesystem::temp_directory_path() / "saslkit-cyrus-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = dir;
    path_ = dir_ + "/sasldb2";
    static const sasl_callback_t kCallbacks[] = {
        // libsasl2 stores every callback as int (*)(void); void (*)(void) in between is the
        // cast GCC accepts as intended.
        {SASL_CB_GETOPT,
         reinterpret_cast<int (*)(void)>(reinterpret_cast<void (*)(void)>(&GetOption)), nullptr},
        {SASL_CB_LIST_END, nullptr, nullptr},
    };
    ASSERT_EQ(sasl_server_init(kCallbacks, "saslkit-interop"), SASL_OK);
    sasl_conn_t* conn = nullptr;
    ASSERT_EQ(sasl_server_new(kService, kServerFqdn, nullptr, nullptr, nullptr, nullptr, 0, &conn),
              SASL_OK);
    for (const User& user : kUsers) {
      ASSERT_EQ(sasl_setpass(conn, user.name, user.password,
                             static_cast<unsigned>(std::strlen(user.password)), nullptr, 0,
                             SASL_SET_CREATE),
                SASL_OK)
          << sasl_errdetail(conn);
    }
    sasl_dispose(&conn);
  }

  // libsasl2 stays initialised: its sasl_server_done loses an allocation that a plugin made in
  // sasl_server_add_plugin (valgrind reports it lost), and the process ends next anyway.
  void TearDown() override {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }

 private:
  static int GetOption(void*, const char*, const char* option, const char** result,
                       unsigned* length) {
    const char* value = nullptr;
    if (std::strcmp(option, "sasldb_path") == 0) {
      value = path_.c_str();
    } else if (std::strcmp(option, "pwcheck_method") == 0) {
      value = "auxprop";
    } else if (std::strcmp(option, "auxprop_plugin") == 0) {
      value = "sasldb";
    } else if (std::strcmp(option, "mech_list") == 0) {
      value = "PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256 SCRAM-SHA-384 "
              "SCRAM-SHA-512 NTLM ANONYMOUS EXTERNAL";
    } else {
      return SASL_FAIL;
    }
    *result = value;
    if (length != nullptr) *length = static_cast<unsigned>(std::strlen(value));
    return SASL_OK;
  }

  static inline std::string path_;
  std::string dir_;
};

[[maybe_unused]] ::testing::Environment* const kCyrusLibrary =
    ::testing::AddGlobalTestEnvironment(new CyrusLibrary);

struct CyrusOptions {
  // Channel binding handed to the server (SASL_CHANNEL_BINDING); -PLUS is offered only with it.
  std::optional<std::string> binding_name;
  std::string binding_data;
  bool binding_critical = true;
  sasl_ssf_t max_ssf = 0;  // 0: DIGEST-MD5 offers qop "auth" alone
  std::optional<std::string> external_id;  // SASL_AUTH_EXTERNAL, e.g. from a client certificate
};

// One Cyrus server connection running one mechanism.
class CyrusServer final : public InteropServer {
 public:
  explicit CyrusServer(std::string mechanism, CyrusOptions options = {})
      : mechanism_(std::move(mechanism)), options_(std::move(options)) {
    int rc = sasl_server_new(kService, kServerFqdn, nullptr, "127.0.0.1;143", "127.0.0.1;40000",
                             nullptr, 0, &conn_);
    EXPECT_EQ(rc, SASL_OK);
    sasl_security_properties_t props{};
    props.min_ssf = 0;
    props.max_ssf = options_.max_ssf;
    props.maxbufsize = 65536;
    props.security_flags = 0;
    EXPECT_EQ(sasl_setprop(conn_, SASL_SEC_PROPS, &props), SASL_OK);
    if (options_.binding_name.has_value()) {
      binding_.name = options_.binding_name->c_str();
      binding_.critical = options_.binding_critical ? 1 : 0;
      binding_.len = options_.binding_data.size();
      binding_.data = reinterpret_cast<const unsigned char*>(options_.binding_data.data());
      EXPECT_EQ(sasl_setprop(conn_, SASL_CHANNEL_BINDING, &binding_), SASL_OK);
    }
    if (options_.external_id.has_value()) {
      sasl_ssf_t ssf = 128;
      EXPECT_EQ(sasl_setprop(conn_, SASL_SSF_EXTERNAL, &ssf), SASL_OK);
      EXPECT_EQ(sasl_setprop(conn_, SASL_AUTH_EXTERNAL, options_.external_id->c_str()), SASL_OK);
    }
  }
  CyrusServer(const CyrusServer&) = delete;
  CyrusServer& operator=(const CyrusServer&) = delete;
  ~CyrusServer() override { sasl_dispose(&conn_); }

  std::string_view library() const override { return "Cyrus SASL"; }

  ServerReply Start(std::optional<std::string_view> initial_response) override {
    const char* out = nullptr;
    unsigned out_length = 0;
    const int rc = sasl_server_start(
        conn_, mechanism_.c_str(), initial_response ? initial_response->data() : nullptr,
        initial_response ? static_cast<unsigned>(initial_response->size()) : 0, &out, &out_length);
    return Reply(rc, out, out_length);
  }

  ServerReply Step(std::string_view response) override {
    const char* out = nullptr;
    unsigned out_length = 0;
    const int rc = sasl_server_step(conn_, response.data(), static_cast<unsigned>(response.size()),
                                    &out, &out_length);
    return Reply(rc, out, out_length);
  }

  // Returns the user name Cyrus authenticated (SASL_USERNAME), or "" before success.
  std::string user() const {
    const void* user = nullptr;
    if (sasl_getprop(conn_, SASL_USERNAME, &user) != SASL_OK || user == nullptr) return "";
    return static_cast<const char*>(user);
  }

  // Returns the mechanisms this connection offers, space-separated.
  std::string offered() const {
    const char* list = nullptr;
    unsigned length = 0;
    int count = 0;
    if (sasl_listmech(conn_, nullptr, "", " ", "", &list, &length, &count) != SASL_OK) return "";
    return std::string(list, length);
  }

 private:
  ServerReply Reply(int rc, const char* out, unsigned out_length) {
    ServerReply reply;
    reply.code = rc;
    // On failure Cyrus's SCRAM plugin frees its output buffer but leaves `out` pointing at it
    // (a use-after-free that ASan caught): read it only when the step succeeded.
    if (out != nullptr && (rc == SASL_OK || rc == SASL_CONTINUE)) reply.data.assign(out, out_length);
    if (rc == SASL_OK) {
      reply.verdict = ServerReply::Verdict::kSuccess;
    } else if (rc == SASL_CONTINUE) {
      reply.verdict = ServerReply::Verdict::kContinue;
    } else {
      reply.verdict = ServerReply::Verdict::kFailure;
      reply.reason = sasl_errdetail(conn_);
    }
    return reply;
  }

  const std::string mechanism_;
  const CyrusOptions options_;
  sasl_conn_t* conn_ = nullptr;
  sasl_channel_binding_t binding_{};
};

std::string CaseName(const ::testing::TestParamInfo<MechanismCase>& info) {
  std::string name = info.param.name;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

class CyrusPasswordMechanismTest : public ::testing::TestWithParam<MechanismCase> {};

TEST_P(CyrusPasswordMechanismTest, Authenticates) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  CyrusServer server(GetParam().name);
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), "alice");
}

TEST_P(CyrusPasswordMechanismTest, WrongPasswordIsRejectedAsBadAuth) {
  ClientSetup client = Client(GetParam().info(), User{"alice", "Tr0ub4dor&4"});
  CyrusServer server(GetParam().name);
  absl::Status status = RunInterop(client, server);
  EXPECT_THAT(status, StatusIs(ErrorKind::kRejected, "(code -13)"));  // SASL_BADAUTH
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, CyrusPasswordMechanismTest,
                         ::testing::Values(MechanismCase{"PLAIN", PlainMechanism},
                                           MechanismCase{"LOGIN", LoginMechanism},
                                           MechanismCase{"CRAM-MD5", CramMd5Mechanism},
                                           MechanismCase{"DIGEST-MD5", DigestMd5Mechanism},
                                           MechanismCase{"SCRAM-SHA-1", ScramSha1Mechanism},
                                           MechanismCase{"SCRAM-SHA-256", ScramSha256Mechanism},
                                           MechanismCase{"SCRAM-SHA-512", ScramSha512Mechanism},
                                           MechanismCase{"SCRAM-SHA-384", ScramSha384Mechanism},
                                           MechanismCase{"NTLM", NtlmMechanism}),
                         CaseName);

// Non-ASCII passwords, inside ISO-8859-1 and beyond it. Not NTLM: see CyrusNtlmTest.
class CyrusNonAsciiPasswordTest : public ::testing::TestWithParam<MechanismCase> {};

TEST_P(CyrusNonAsciiPasswordTest, AuthenticatesWithIso88591Password) {
  ClientSetup client = Client(GetParam().info(), kBob);
  CyrusServer server(GetParam().name);
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), "bob");
}

TEST_P(CyrusNonAsciiPasswordTest, AuthenticatesWithUtf8Password) {
  ClientSetup client = Client(GetParam().info(), kChen);
  CyrusServer server(GetParam().name);
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), "chen");
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, CyrusNonAsciiPasswordTest,
                         ::testing::Values(MechanismCase{"PLAIN", PlainMechanism},
                                           MechanismCase{"LOGIN", LoginMechanism},
                                           MechanismCase{"CRAM-MD5", CramMd5Mechanism},
                                           MechanismCase{"DIGEST-MD5", DigestMd5Mechanism},
                                           MechanismCase{"SCRAM-SHA-1", ScramSha1Mechanism},
                                           MechanismCase{"SCRAM-SHA-256", ScramSha256Mechanism},
                                           MechanismCase{"SCRAM-SHA-512", ScramSha512Mechanism}),
                         CaseName);

// RFC 2831 2.1.2.1 hashes a password that fits ISO-8859-1 as ISO-8859-1 (saslkit's default);
// Cyrus checks the response against both that and the UTF-8 bytes (Dovecot's way), so either
// setting of `DigestMd5Options::hash_latin1` authenticates.
TEST(CyrusDigestMd5Test, AcceptsUtf8HashedPasswordToo) {
  ClientSetup client = Client(DigestMd5Mechanism(), kBob);
  client.options.Mutable<DigestMd5Options>().hash_latin1 = false;
  CyrusServer server("DIGEST-MD5");
  EXPECT_OK(RunInterop(client, server));
}

// RFC 2831 2.1.2.1: the user name, too, is hashed as ISO-8859-1 when it fits.
TEST(CyrusDigestMd5Test, AuthenticatesIso88591UserName) {
  ClientSetup client = Client(DigestMd5Mechanism(), kJurgen);
  CyrusServer server("DIGEST-MD5");
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), kJurgen.name);
}

TEST(CyrusDigestMd5Test, ChoosesAuthWhenSecurityLayersAreOffered) {
  ClientSetup client = Client(DigestMd5Mechanism(), kAlice);
  CyrusServer server("DIGEST-MD5", CyrusOptions{.max_ssf = 256});
  EXPECT_OK(RunInterop(client, server));
}

TEST(CyrusDigestMd5Test, AuthorizationIdentityOfItself) {
  ClientSetup client = Client(DigestMd5Mechanism(), kAlice);
  client.credentials.authzid = "alice";
  CyrusServer server("DIGEST-MD5");
  EXPECT_OK(RunInterop(client, server));
}

TEST(CyrusDigestMd5Test, RspauthWithSuccess) {
  ClientSetup client = Client(DigestMd5Mechanism(), kAlice);
  CyrusServer server("DIGEST-MD5");
  EXPECT_OK(RunInterop(client, server, {.final_data = FinalData::kWithSuccess}));
}

TEST(CyrusDigestMd5Test, AlteredRspauthIsServerUnverified) {
  ClientSetup client = Client(DigestMd5Mechanism(), kAlice);
  CyrusServer server("DIGEST-MD5");
  EXPECT_THAT(RunInterop(client, server, {.alter_server_data = AlterProof}),
              StatusIs(ErrorKind::kServerUnverified, "rspauth"));
}

TEST(CyrusScramTest, ServerFinalWithSuccess) {
  for (const MechanismCase& m : {MechanismCase{"SCRAM-SHA-1", ScramSha1Mechanism},
                                 MechanismCase{"SCRAM-SHA-256", ScramSha256Mechanism},
                                 MechanismCase{"SCRAM-SHA-512", ScramSha512Mechanism}}) {
    SCOPED_TRACE(m.name);
    ClientSetup client = Client(m.info(), kAlice);
    CyrusServer server(m.name);
    EXPECT_OK(RunInterop(client, server, {.final_data = FinalData::kWithSuccess}));
  }
}

TEST(CyrusScramTest, AlteredServerSignatureIsServerUnverified) {
  for (const MechanismCase& m : {MechanismCase{"SCRAM-SHA-1", ScramSha1Mechanism},
                                 MechanismCase{"SCRAM-SHA-256", ScramSha256Mechanism},
                                 MechanismCase{"SCRAM-SHA-512", ScramSha512Mechanism}}) {
    SCOPED_TRACE(m.name);
    ClientSetup client = Client(m.info(), kAlice);
    CyrusServer server(m.name);
    EXPECT_THAT(RunInterop(client, server, {.alter_server_data = AlterProof}),
                StatusIs(ErrorKind::kServerUnverified, "server signature"));
  }
}

TEST(CyrusScramTest, AuthorizationIdentityOfItself) {
  ClientSetup client = Client(ScramSha256Mechanism(), kAlice);
  client.credentials.authzid = "alice";
  CyrusServer server("SCRAM-SHA-256");
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), "alice");
}

// SCRAM -PLUS (RFC 5802 6) bound to tls-unique, the binding Cyrus imapd hands to libsasl2.
class CyrusScramPlusTest : public ::testing::TestWithParam<MechanismCase> {};

CyrusOptions TlsUniqueBinding(std::string data) {
  return CyrusOptions{.binding_name = "tls-unique", .binding_data = std::move(data)};
}

TEST_P(CyrusScramPlusTest, OfferedOnlyWithChannelBinding) {
  EXPECT_EQ(CyrusServer(GetParam().name).offered().find(GetParam().name), std::string::npos);
  EXPECT_NE(CyrusServer(GetParam().name, TlsUniqueBinding(kTlsUnique)).offered().find(
                GetParam().name),
            std::string::npos);
}

TEST_P(CyrusScramPlusTest, AuthenticatesWithTlsUnique) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls12WithUnique(kTlsUnique);
  client.options.channel_binding = ChannelBindingType::kTlsUnique;
  client.server_offers_plus = true;
  CyrusServer server(GetParam().name, TlsUniqueBinding(kTlsUnique));
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), "alice");
}

// On TLS 1.2 with no explicit choice the client picks tls-unique, which is what Cyrus expects.
TEST_P(CyrusScramPlusTest, ChoosesTlsUniqueOnTls12ByDefault) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls12WithUnique(kTlsUnique);
  client.tls.tls_server_end_point = std::string(32, '\x5a');
  client.server_offers_plus = true;
  CyrusServer server(GetParam().name, TlsUniqueBinding(kTlsUnique));
  EXPECT_OK(RunInterop(client, server));
}

TEST_P(CyrusScramPlusTest, MismatchedBindingIsRejected) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls12WithUnique(kOtherTlsUnique);
  client.options.channel_binding = ChannelBindingType::kTlsUnique;
  client.server_offers_plus = true;
  CyrusServer server(GetParam().name, TlsUniqueBinding(kTlsUnique));
  EXPECT_THAT(RunInterop(client, server),
              StatusIs(ErrorKind::kRejected, "Channel bindings mismatch"));  // SASL_BADPROT
}

TEST_P(CyrusScramPlusTest, WrongPasswordIsRejectedAsBadAuth) {
  ClientSetup client = Client(GetParam().info(), User{"alice", "Tr0ub4dor&4"});
  client.tls = Tls12WithUnique(kTlsUnique);
  client.options.channel_binding = ChannelBindingType::kTlsUnique;
  client.server_offers_plus = true;
  CyrusServer server(GetParam().name, TlsUniqueBinding(kTlsUnique));
  EXPECT_THAT(RunInterop(client, server), StatusIs(ErrorKind::kRejected, "(code -13)"));
}

// libsasl2 binds to whatever name the application gives; an application on TLS 1.3 would give
// tls-exporter (RFC 9266), which saslkit picks there by default.
TEST_P(CyrusScramPlusTest, AuthenticatesWithTlsExporterWhenTheServerHasIt) {
  const std::string exporter(32, '\x7e');
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls13WithExporter(exporter);
  client.server_offers_plus = true;
  CyrusServer server(GetParam().name,
                     CyrusOptions{.binding_name = "tls-exporter", .binding_data = exporter});
  EXPECT_OK(RunInterop(client, server));
}

INSTANTIATE_TEST_SUITE_P(
    Mechanisms, CyrusScramPlusTest,
    ::testing::Values(MechanismCase{"SCRAM-SHA-1-PLUS", ScramSha1PlusMechanism},
                      MechanismCase{"SCRAM-SHA-256-PLUS", ScramSha256PlusMechanism},
                      MechanismCase{"SCRAM-SHA-512-PLUS", ScramSha512PlusMechanism},
                      MechanismCase{"SCRAM-SHA-384-PLUS", ScramSha384PlusMechanism}),
    CaseName);

// The non-PLUS variants on a TLS session the server could bind to: gs2 flag "n" when the
// client saw -PLUS offered, "y" (RFC 5802 6) when it did not, which Cyrus, offering -PLUS,
// takes as a downgrade by a man in the middle and refuses.
class CyrusScramBindingFlagTest : public ::testing::TestWithParam<MechanismCase> {};

TEST_P(CyrusScramBindingFlagTest, AuthenticatesWhenPlusWasSeen) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls12WithUnique(kTlsUnique);
  client.server_offers_plus = true;
  CyrusOptions options = TlsUniqueBinding(kTlsUnique);
  options.binding_critical = false;
  CyrusServer server(GetParam().name, options);
  EXPECT_OK(RunInterop(client, server));
}

TEST_P(CyrusScramBindingFlagTest, StrippedPlusIsDetectedByTheServer) {
  ClientSetup client = Client(GetParam().info(), kAlice);
  client.tls = Tls12WithUnique(kTlsUnique);
  client.server_offers_plus = false;
  CyrusOptions options = TlsUniqueBinding(kTlsUnique);
  options.binding_critical = false;
  CyrusServer server(GetParam().name, options);
  EXPECT_THAT(RunInterop(client, server),
              StatusIs(ErrorKind::kRejected, "incorrectly assumed server had no channel binding"));
}

INSTANTIATE_TEST_SUITE_P(Mechanisms, CyrusScramBindingFlagTest,
                         ::testing::Values(MechanismCase{"SCRAM-SHA-1", ScramSha1Mechanism},
                                           MechanismCase{"SCRAM-SHA-256", ScramSha256Mechanism},
                                           MechanismCase{"SCRAM-SHA-512", ScramSha512Mechanism}),
                         CaseName);

// Cyrus answers with an NTLMv1-era CHALLENGE (no target information, 16 flag bits kept) and
// checks NTLMv2 against HMAC-MD5(NT hash, upper-case user + domain).
TEST(CyrusNtlmTest, AuthenticatesWithUpperCaseDomain) {
  ClientSetup client = Client(NtlmMechanism(), User{"EXAMPLE\\alice", kAlice.password});
  CyrusServer server("NTLM");
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), "alice");
}

TEST(CyrusNtlmTest, AuthenticatesWithWorkstationAndDomainHints) {
  ClientSetup client = Client(NtlmMechanism(), kAlice);
  client.credentials.domain = "EXAMPLE";
  client.options.Mutable<NtlmOptions>().workstation = "WS01";
  CyrusServer server("NTLM");
  EXPECT_OK(RunInterop(client, server));
}

TEST(CyrusNtlmTest, AuthenticatesOverTlsWithChannelBindings) {
  ClientSetup client = Client(NtlmMechanism(), kAlice);
  client.tls = Tls12WithUnique(kTlsUnique);
  client.tls.tls_server_end_point = std::string(32, '\x5a');
  CyrusServer server("NTLM");
  EXPECT_OK(RunInterop(client, server));
}

// Cyrus widens each octet of the stored password to UTF-16 (ntlm.c to_unicode), so a
// non-ASCII password's NT hash differs from the one [MS-NLMP] 3.3.1 and saslkit compute from
// real UTF-16LE: NTLM with Cyrus works for ASCII passwords only.
TEST(CyrusNtlmTest, NonAsciiPasswordIsHashedOctetWiseByCyrus) {
  ClientSetup client = Client(NtlmMechanism(), kBob);
  CyrusServer server("NTLM");
  EXPECT_THAT(RunInterop(client, server), StatusIs(ErrorKind::kRejected, "incorrect NTLMv2"));
}

// [MS-NLMP] 3.3.2 NTOWFv2 upper-cases the user name only; Cyrus upper-cases the domain too, so
// a domain with lower-case letters fails there (Windows and Samba keep the domain's case).
TEST(CyrusNtlmTest, LowerCaseDomainIsUpperCasedByCyrus) {
  ClientSetup client = Client(NtlmMechanism(), User{"Example\\alice", kAlice.password});
  CyrusServer server("NTLM");
  EXPECT_THAT(RunInterop(client, server), StatusIs(ErrorKind::kRejected, "incorrect NTLMv2"));
}

TEST(CyrusNtlmTest, WrongPasswordWithDomainIsRejectedAsBadAuth) {
  ClientSetup client = Client(NtlmMechanism(), User{"EXAMPLE\\alice", "Tr0ub4dor&4"});
  CyrusServer server("NTLM");
  EXPECT_THAT(RunInterop(client, server), StatusIs(ErrorKind::kRejected, "(code -13)"));
}

TEST(CyrusAnonymousTest, Authenticates) {
  ClientSetup client(AnonymousMechanism());
  client.credentials.Mutable<AnonymousCredentials>().trace = "sirhc@example.test";
  CyrusServer server("ANONYMOUS");
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), "anonymous");
}

TEST(CyrusExternalTest, AuthenticatesAsTheExternalIdentity) {
  ClientSetup client(ExternalMechanism());
  client.tls = Tls12WithUnique(kTlsUnique);
  CyrusServer server("EXTERNAL", CyrusOptions{.external_id = "alice"});
  EXPECT_OK(RunInterop(client, server));
  EXPECT_EQ(server.user(), "alice");
}

}  // namespace
}  // namespace saslkit::testing
