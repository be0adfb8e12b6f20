#include "saslkit/sasl/registry.h"

#include "gtest/gtest.h"
#include "saslkit/mechanisms/builtins.h"
#include "saslkit/mechanisms/ranking.h"
#include "tests/testing/matchers.h"
#include "tests/testing/test_mechanism.h"

namespace saslkit {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::StatusIs;

TEST(RegistryTest, FindsNamesInAnyCase) {
  Registry r = BuiltinRegistry();
  ASSERT_NE(r.Find("plain"), nullptr);
  EXPECT_EQ(r.Find("Plain"), r.Find("PLAIN"));
  EXPECT_EQ(r.Find("cram-md5")->name, "CRAM-MD5");
  EXPECT_EQ(r.Find("X-NOPE"), nullptr);
}

TEST(RegistryTest, EveryBuiltinIsRankedInTheOneTable) {
  for (const MechanismInfo& info : BuiltinMechanisms()) {
    EXPECT_GT(BuiltinStrength(info.name), 0) << info.name;
    EXPECT_EQ(info.strength, BuiltinStrength(info.name)) << info.name;
    EXPECT_FALSE(info.summary.empty()) << info.name;
  }
  // The built-in registry holds every one of them (no silent Add failure).
  EXPECT_EQ(BuiltinRegistry().size(), BuiltinMechanisms().size());
}

TEST(RegistryTest, DuplicateIsAnErrorAndReplaceSwaps) {
  Registry r = BuiltinRegistry();
  MechanismInfo mine = testing::TestMechanismInfo("login", 19);
  EXPECT_THAT(r.Add(mine), StatusIs(ErrorKind::kBadInput, "already registered"));
  EXPECT_THAT(r.Replace(std::move(mine)), IsOk());
  EXPECT_EQ(r.Find("LOGIN")->summary, "test mechanism");
  EXPECT_THAT(r.Replace(testing::TestMechanismInfo("X-UNKNOWN", 1)),
              StatusIs(ErrorKind::kBadInput, "not registered"));
}

TEST(RegistryTest, ValidatesNames) {
  Registry r;
  EXPECT_THAT(r.Add(testing::TestMechanismInfo("", 1)), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(r.Add(testing::TestMechanismInfo("HAS SPACE", 1)), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(r.Add(testing::TestMechanismInfo("ABCDEFGHIJKLMNOPQRSTU", 1)),
              StatusIs(ErrorKind::kBadInput));  // 21 characters
  EXPECT_THAT(r.Add(testing::TestMechanismInfo("+NATIVE", 1)),
              StatusIs(ErrorKind::kBadInput, "'+'"));
  MechanismInfo no_factory = testing::TestMechanismInfo("X-NOFACTORY", 1);
  no_factory.create = nullptr;
  EXPECT_THAT(r.Add(no_factory), StatusIs(ErrorKind::kBadInput, "factory"));
  EXPECT_THAT(r.Add(testing::TestMechanismInfo("x-fine_1", 1)), IsOk());
  EXPECT_NE(r.Find("X-FINE_1"), nullptr);
}

TEST(RegistryTest, AllIsOrderedByStrength) {
  Registry r = BuiltinRegistry();
  ASSERT_THAT(r.Add(testing::TestMechanismInfo("X-STRONG", 1000)), IsOk());
  auto all = r.All();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front()->name, "X-STRONG");
  for (size_t i = 1; i < all.size(); ++i) EXPECT_GE(all[i - 1]->strength, all[i]->strength);
  EXPECT_TRUE(r.Remove("x-strong"));
  EXPECT_FALSE(r.Remove("x-strong"));
}

}  // namespace
}  // namespace saslkit
