// SaltedPasswordCache: exact-match lookups, a changed input misses, LRU bound, thread safety.
#include "saslkit/mechanisms/scram/key_cache.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace saslkit {
namespace {

constexpr std::string_view kFamily = "SCRAM-SHA-256";

TEST(SaltedPasswordCacheTest, FindsWhatWasStored) {
  SaltedPasswordCache cache;
  EXPECT_FALSE(cache.Find(kFamily, "user", "salt", 4096, "pencil").has_value());
  cache.Store(kFamily, "user", "salt", 4096, "pencil", SecretBytes("salted"));
  auto hit = cache.Find(kFamily, "user", "salt", 4096, "pencil");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->view(), "salted");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(SaltedPasswordCacheTest, AnyChangedInputMisses) {
  SaltedPasswordCache cache;
  cache.Store(kFamily, "user", "salt", 4096, "pencil", SecretBytes("salted"));
  EXPECT_FALSE(cache.Find("SCRAM-SHA-1", "user", "salt", 4096, "pencil").has_value());
  EXPECT_FALSE(cache.Find(kFamily, "user2", "salt", 4096, "pencil").has_value());
  EXPECT_FALSE(cache.Find(kFamily, "user", "salt2", 4096, "pencil").has_value());
  EXPECT_FALSE(cache.Find(kFamily, "user", "salt", 4097, "pencil").has_value());
  EXPECT_FALSE(cache.Find(kFamily, "user", "salt", 4096, "pencil2").has_value());
}

TEST(SaltedPasswordCacheTest, FieldBoundariesAreUnambiguous) {
  SaltedPasswordCache cache;
  cache.Store(kFamily, "ab", "c", 4096, "p", SecretBytes("salted"));
  EXPECT_FALSE(cache.Find(kFamily, "a", "bc", 4096, "p").has_value());
}

TEST(SaltedPasswordCacheTest, StoringAgainReplaces) {
  SaltedPasswordCache cache;
  cache.Store(kFamily, "user", "salt", 4096, "pencil", SecretBytes("old"));
  cache.Store(kFamily, "user", "salt", 4096, "pencil", SecretBytes("new"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Find(kFamily, "user", "salt", 4096, "pencil")->view(), "new");
}

TEST(SaltedPasswordCacheTest, DropsTheLeastRecentlyUsed) {
  SaltedPasswordCache cache(2);
  cache.Store(kFamily, "a", "salt", 4096, "p", SecretBytes("A"));
  cache.Store(kFamily, "b", "salt", 4096, "p", SecretBytes("B"));
  ASSERT_TRUE(cache.Find(kFamily, "a", "salt", 4096, "p").has_value());  // "b" is now oldest
  cache.Store(kFamily, "c", "salt", 4096, "p", SecretBytes("C"));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_TRUE(cache.Find(kFamily, "a", "salt", 4096, "p").has_value());
  EXPECT_FALSE(cache.Find(kFamily, "b", "salt", 4096, "p").has_value());
  EXPECT_TRUE(cache.Find(kFamily, "c", "salt", 4096, "p").has_value());
}

TEST(SaltedPasswordCacheTest, ZeroCapacityStoresNothing) {
  SaltedPasswordCache cache(0);
  cache.Store(kFamily, "user", "salt", 4096, "pencil", SecretBytes("salted"));
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.Find(kFamily, "user", "salt", 4096, "pencil").has_value());
}

TEST(SaltedPasswordCacheTest, ClearDropsEverything) {
  SaltedPasswordCache cache;
  cache.Store(kFamily, "user", "salt", 4096, "pencil", SecretBytes("salted"));
  cache.Clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_FALSE(cache.Find(kFamily, "user", "salt", 4096, "pencil").has_value());
}

TEST(SaltedPasswordCacheTest, ConcurrentUseKeepsTheBound) {
  SaltedPasswordCache cache(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 200; ++i) {
        const std::string user = "u" + std::to_string((t * 200 + i) % 12);
        cache.Store(kFamily, user, "salt", 4096, "p", SecretBytes(user));
        auto hit = cache.Find(kFamily, user, "salt", 4096, "p");
        if (hit.has_value()) {
          EXPECT_EQ(hit->view(), user);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(cache.size(), 8u);
  EXPECT_GT(cache.size(), 0u);
}

}  // namespace
}  // namespace saslkit
