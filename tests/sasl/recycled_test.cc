// internal::Recycled: one kept block per type and thread, handed back only after the destructor.
#include "saslkit/mechanisms/internal/recycled.h"

#include <memory>
#include <thread>

#include "gtest/gtest.h"

namespace saslkit::internal {
namespace {

struct Counted final : Recycled<Counted> {
  explicit Counted(int v) : value(v) { ++live; }
  ~Counted() { --live; }
  int value;
  char padding[40] = {};
  static inline int live = 0;
};

struct Other final : Recycled<Other> {
  char bytes[sizeof(Counted)] = {};
};

TEST(RecycledTest, ObjectsAreConstructedAndDestroyedNormally) {
  {
    auto a = std::make_unique<Counted>(7);
    auto b = std::make_unique<Counted>(8);  // the second live object gets its own block
    EXPECT_NE(a.get(), b.get());
    EXPECT_EQ(a->value, 7);
    EXPECT_EQ(b->value, 8);
    EXPECT_EQ(Counted::live, 2);
  }
  EXPECT_EQ(Counted::live, 0);
}

TEST(RecycledTest, TheNextObjectOfTheTypeReusesTheBlockOnTheSameThread) {
  if (!SASLKIT_RECYCLE_OBJECTS) GTEST_SKIP() << "sanitizer build: every object is allocated";
  void* first;
  {
    auto a = std::make_unique<Counted>(1);
    first = a.get();
  }
  auto other = std::make_unique<Other>();  // another type never takes Counted's block
  EXPECT_NE(static_cast<void*>(other.get()), first);
  auto again = std::make_unique<Counted>(2);
  EXPECT_EQ(static_cast<void*>(again.get()), first);
  EXPECT_EQ(again->value, 2);

  // Another thread has its own slot: it does not see this thread's kept block.
  again.reset();
  void* seen = nullptr;
  std::thread([&] {
    auto t = std::make_unique<Counted>(3);
    seen = t.get();
  }).join();
  EXPECT_NE(seen, first);
}

}  // namespace
}  // namespace saslkit::internal
