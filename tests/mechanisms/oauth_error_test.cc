#include "saslkit/mechanisms/oauth/internal/oauth_error.h"

#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "saslkit/base/json.h"
#include "saslkit/base/secret.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

namespace saslkit::internal {
namespace {

using ::saslkit::testing::StatusIs;

// ---- ParseOAuthError ----

TEST(OAuthErrorTest, Rfc7628FailureExample) {
  ASSERT_OK_AND_ASSIGN(
      OAuthError e,
      ParseOAuthError(R"({"status":"invalid_token","scope":"example_scope",)"
                      R"("openid-configuration":"https://example.com/.well-known/openid-configuration"})"));
  EXPECT_EQ(e.status, "invalid_token");
  EXPECT_EQ(e.scope, "example_scope");
  EXPECT_EQ(e.openid_configuration, "https://example.com/.well-known/openid-configuration");
  EXPECT_EQ(e.schemes, "");
  EXPECT_TRUE(e.TokenRejected());
}

TEST(OAuthErrorTest, GoogleExampleWithTrailingNewline) {
  ASSERT_OK_AND_ASSIGN(
      OAuthError e,
      ParseOAuthError("{\"status\":\"401\",\"schemes\":\"bearer mac\","
                      "\"scope\":\"https://mail.google.com/\"}\n"));
  EXPECT_EQ(e.status, "401");
  EXPECT_EQ(e.schemes, "bearer mac");
  EXPECT_EQ(e.scope, "https://mail.google.com/");
  EXPECT_EQ(e.json, R"({"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"})");
  EXPECT_TRUE(e.TokenRejected());
}

TEST(OAuthErrorTest, OtherStatusesAreNotTokenRejections) {
  for (const char* status : {"400", "insufficient_scope", "invalid_request", "INVALID_TOKEN"}) {
    ASSERT_OK_AND_ASSIGN(OAuthError e,
                         ParseOAuthError(std::string(R"({"status":")") + status + "\"}"));
    EXPECT_FALSE(e.TokenRejected()) << status;
  }
}

TEST(OAuthErrorTest, NumericStatusIsTolerated) {
  ASSERT_OK_AND_ASSIGN(OAuthError e, ParseOAuthError(R"({"status":401})"));
  EXPECT_EQ(e.status, "401");
  EXPECT_TRUE(e.TokenRejected());
}

TEST(OAuthErrorTest, UnknownMembersOfAnyTypeAreSkipped) {
  ASSERT_OK_AND_ASSIGN(
      OAuthError e,
      ParseOAuthError(R"( { "n": -1.5e+3, "t": true, "f": false, "z": null, "a": [1, "x", [], {}],)"
                      R"( "o": {"k": {"k2": [null]}}, "status" : "invalid_token" } )"));
  EXPECT_EQ(e.status, "invalid_token");
}

TEST(OAuthErrorTest, MissingStatusIsProtocol) {
  EXPECT_THAT(ParseOAuthError(R"({"scope":"x"})"), StatusIs(ErrorKind::kProtocol, "status"));
  EXPECT_THAT(ParseOAuthError(R"({"status":""})"), StatusIs(ErrorKind::kProtocol));
}

TEST(OAuthErrorTest, NonStringFieldIsProtocol) {
  EXPECT_THAT(ParseOAuthError(R"({"status":"invalid_token","scope":["a"]})"),
              StatusIs(ErrorKind::kProtocol, "scope"));
  EXPECT_THAT(ParseOAuthError(R"({"status":true})"), StatusIs(ErrorKind::kProtocol));
}

TEST(OAuthErrorTest, OversizedChallengeIsABoundError) {
  std::string big = R"({"status":"invalid_token","pad":")" + std::string(kMaxOAuthErrorSize, 'x') +
                    "\"}";
  absl::Status s = ParseOAuthError(big).status();
  EXPECT_THAT(s, StatusIs(ErrorKind::kProtocol));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
}

TEST(OAuthErrorTest, ExplainAttachesTheJsonAndKeepsTheRejection) {
  ASSERT_OK_AND_ASSIGN(OAuthError e, ParseOAuthError(R"({"status":"invalid_token"})"));
  absl::Status s = ExplainOAuthRejection(Error(ErrorKind::kRejected, "535 no"), e);
  EXPECT_THAT(s, StatusIs(ErrorKind::kRejected, "535 no"));
  EXPECT_EQ(::saslkit::OAuthError(s), R"({"status":"invalid_token"})");
  EXPECT_TRUE(TokenRejected(s));
}

// ---- the JSON reader underneath (base/json.h over RapidJSON), with the OAuth error's limits ----

absl::StatusOr<JsonDocument> ParseJsonObject(std::string_view text, size_t max_size) {
  return JsonDocument::ParseInPlace(SecretBytes(text), {.max_size = max_size,
                                                        .max_depth = kMaxJsonDepth,
                                                        .object_only = true,
                                                        .max_members = kMaxJsonMembers});
}

TEST(JsonTest, StringEscapes) {
  ASSERT_OK_AND_ASSIGN(
      auto doc,
      ParseJsonObject(R"({"s":"q\"b\\s\/n\nt\tr\rb\bf\f","u":"\u00e9\u20AC\ud83d\ude00\u0041"})",
                      1024));
  EXPECT_EQ(doc.String("s"), "q\"b\\s/n\nt\tr\rb\bf\f");
  EXPECT_EQ(doc.String("u"), "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80" "A");
}

TEST(JsonTest, RawUtf8IsKept) {
  ASSERT_OK_AND_ASSIGN(auto doc, ParseJsonObject("{\"k\":\"caf\xC3\xA9 \xF0\x9F\x98\x80\"}", 64));
  EXPECT_EQ(doc.String("k"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(JsonTest, NumbersAndTypes) {
  ASSERT_OK_AND_ASSIGN(auto doc, ParseJsonObject(R"({"a":3600,"b":-0.5,"s":"12","t":true,"l":["x","y"]})", 128));
  EXPECT_EQ(doc.Int64("a"), 3600);
  EXPECT_EQ(doc.Int64("b"), std::nullopt);   // not a whole number
  EXPECT_EQ(doc.Int64("s"), 12);             // a string of digits, as some endpoints send
  EXPECT_EQ(doc.String("a"), std::nullopt);  // a number is not a string
  EXPECT_EQ(doc.Bool("t"), true);
  EXPECT_EQ(doc.StringList("l"), (std::vector<std::string>{"x", "y"}));
  EXPECT_FALSE(doc.Has("x"));
}

TEST(JsonTest, EmptyObject) {
  ASSERT_OK_AND_ASSIGN(auto doc, ParseJsonObject(" {} \r\n", 64));
  EXPECT_TRUE(doc.IsObject());
  EXPECT_FALSE(doc.Has("status"));
}

// Each malformed document fails with kProtocol (and never crashes or reads past the end).
TEST(JsonTest, MalformedDocumentsAreProtocol) {
  const std::string kMalformed[] = {
      "",
      "   ",
      "[]",
      "\"status\"",
      "{",
      "{\"a\"",
      "{\"a\":",
      "{\"a\":\"x\"",
      "{\"a\":\"x\",}",
      "{,}",
      "{\"a\" \"x\"}",
      "{\"a\":\"x\"}}",
      "{\"a\":\"x\"} x",
      "{\"a\":\"x\"}{}",
      "{a:\"x\"}",
      "{'a':'x'}",
      "{\"a\":\"unterminated}",
      "{\"a\":\"ends in backslash\\",
      "{\"a\":\"bad escape \\x\"}",
      "{\"a\":\"short \\u12\"}",
      "{\"a\":\"bad hex \\u12G4\"}",
      "{\"a\":\"lone high \\ud83d\"}",
      "{\"a\":\"high then other \\ud83d\\u0041\"}",
      "{\"a\":\"lone low \\ude00\"}",
      "{\"a\":\"raw\ttab\"}",
      "{\"a\":\"raw\nnewline\"}",
      std::string("{\"a\":\"nul\0\"}", 11),
      "{\"a\":\"bad utf8 \xC3\"}",
      "{\"a\":\"overlong \xC0\xAF\"}",
      "{\"a\":\"overlong \xE0\x80\xAF\"}",
      "{\"a\":\"surrogate \xED\xA0\x80\"}",
      "{\"a\":\"too big \xF4\x90\x80\x80\"}",
      "{\"a\":\"stray \x80\"}",
      "{\"a\":01}",
      "{\"a\":-}",
      "{\"a\":1.}",
      "{\"a\":.5}",
      "{\"a\":1e}",
      "{\"a\":+1}",
      "{\"a\":0x10}",
      "{\"a\":tru}",
      "{\"a\":nul}",
      "{\"a\":True}",
      "{\"a\":[1,]}",
      "{\"a\":[1 2]}",
      "{\"a\":{\"b\"}}",
      "{\"a\":{\"b\":1,}}",
      "{\"a\":[}",
      "{\"a\":\"x\",\"a\":\"y\"}",
      "\xEF\xBB\xBF{}",
  };
  for (const std::string& text : kMalformed) {
    EXPECT_THAT(ParseJsonObject(text, 1024), StatusIs(ErrorKind::kProtocol))
        << ::testing::PrintToString(text);
  }
}

TEST(JsonTest, UnterminatedStringNamesTheProblemAndTheOffset) {
  absl::Status s = ParseJsonObject(R"({"status":"invalid_tok)", 64).status();
  EXPECT_THAT(s, StatusIs(ErrorKind::kProtocol, "offset"));
  EXPECT_THAT(s, StatusIs(ErrorKind::kProtocol, "quotation mark"));
  EXPECT_EQ(std::string(s.message()).find("invalid_tok"), std::string::npos);  // never the text
}

TEST(JsonTest, NestingIsBoundedWithoutDeepRecursion) {
  // Depth kMaxJsonDepth is accepted: the top-level object plus 7 nested arrays.
  std::string ok = "{\"a\":" + std::string(kMaxJsonDepth - 1, '[') +
                   std::string(kMaxJsonDepth - 1, ']') + "}";
  EXPECT_OK(ParseJsonObject(ok, 1024));
  std::string deeper = "{\"a\":" + std::string(kMaxJsonDepth, '[') +
                       std::string(kMaxJsonDepth, ']') + "}";
  absl::Status s = ParseJsonObject(deeper, 1024).status();
  EXPECT_THAT(s, StatusIs(ErrorKind::kProtocol, "nested deeper"));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  // A hostile document nested a hundred thousand levels deep stops at the bound.
  std::string hostile = "{\"a\":" + std::string(100000, '[');
  EXPECT_THAT(ParseJsonObject(hostile, 1 << 20), StatusIs(ErrorKind::kProtocol, "nested"));
  std::string objects = "{\"a\":";
  for (int i = 0; i < 1000; ++i) objects += "{\"b\":";
  EXPECT_THAT(ParseJsonObject(objects, 1 << 20), StatusIs(ErrorKind::kProtocol, "nested"));
}

TEST(JsonTest, SizeIsBounded) {
  const std::string text = R"({"a":"0123456789"})";
  EXPECT_OK(ParseJsonObject(text, text.size()));
  absl::Status s = ParseJsonObject(text, text.size() - 1).status();
  EXPECT_THAT(s, StatusIs(ErrorKind::kProtocol));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
}

TEST(JsonTest, MemberCountIsBounded) {
  auto object_with = [](size_t n) {
    std::string text = "{";
    for (size_t i = 0; i < n; ++i) {
      if (i) text += ',';
      text += "\"m" + std::to_string(i) + "\":0";
    }
    return text + "}";
  };
  EXPECT_OK(ParseJsonObject(object_with(kMaxJsonMembers), 1 << 20));
  absl::Status s = ParseJsonObject(object_with(kMaxJsonMembers + 1), 1 << 20).status();
  EXPECT_THAT(s, StatusIs(ErrorKind::kProtocol, "members"));
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
}

TEST(JsonTest, EveryTruncationOfAValidDocumentFails) {
  const std::string text =
      R"({"status":"invalid_token","n":[1,-2.5e3,{"x":"\u00e9\ud83d\ude00"}],"t":true,"z":null})";
  ASSERT_OK(ParseJsonObject(text, 1024));
  for (size_t len = 0; len < text.size(); ++len) {
    EXPECT_THAT(ParseJsonObject(text.substr(0, len), 1024), StatusIs(ErrorKind::kProtocol))
        << "length " << len;
  }
}

}  // namespace
}  // namespace saslkit::internal
