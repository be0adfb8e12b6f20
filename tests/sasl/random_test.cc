// The default random source (`SystemRandom`): output that is not constant, no repeats across
// fork() (from the main thread, from another thread, and a child that forks again), and many
// threads drawing at once (tools/test.sh runs this file under ThreadSanitizer too). And
// `FixedRandom`, which the mechanism tests replay vectors with.
#include "saslkit/base/random.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace saslkit {
namespace {

constexpr size_t kNonceBytes = 18;  // what SCRAM draws
constexpr int kDraws = 64;

std::string Draw() {
  absl::StatusOr<std::string> nonce = SystemRandom().Nonce(kNonceBytes);
  EXPECT_TRUE(nonce.ok()) << nonce.status();
  return nonce.ok() ? *nonce : std::string();
}

std::vector<std::string> DrawMany(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(Draw());
  return out;
}

// Writes `values` to `fd`, one per line (nonces hold no newline).
void WriteAll(int fd, const std::vector<std::string>& values) {
  std::string text;
  for (const std::string& v : values) text += v + "\n";
  size_t at = 0;
  while (at < text.size()) {
    const ssize_t n = write(fd, text.data() + at, text.size() - at);
    if (n <= 0) _exit(3);
    at += static_cast<size_t>(n);
  }
}

std::vector<std::string> ReadAll(int fd) {
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    out.push_back(text.substr(start, end - start));
  }
  return out;
}

// Forks; the child runs `child(fd)` with the write end of a pipe and exits. Returns what the
// child wrote; expects it to exit with 0.
template <typename Child>
std::vector<std::string> RunChild(Child child) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child(fds[1]);
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  std::vector<std::string> got = ReadAll(fds[0]);
  close(fds[0]);
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  return got;
}

// Expects no value to appear twice across all of `groups`.
void ExpectAllDistinct(const std::vector<std::vector<std::string>>& groups) {
  std::set<std::string> seen;
  size_t total = 0;
  for (const auto& group : groups) {
    for (const std::string& v : group) {
      EXPECT_EQ(v.size(), 24u);
      seen.insert(v);
      ++total;
    }
  }
  EXPECT_EQ(seen.size(), total) << "a nonce repeated";
}

TEST(SystemRandomTest, OutputIsNotConstant) {
  std::vector<std::string> nonces = DrawMany(1000);
  ExpectAllDistinct({nonces});
  // A long fill spans many blocks: no block of it repeats and it is not all one byte.
  std::string big(20000, '\0');
  ASSERT_TRUE(SystemRandom().Fill(big.data(), big.size()).ok());
  std::set<std::string> chunks;
  for (size_t at = 0; at + 16 <= big.size(); at += 16) chunks.insert(big.substr(at, 16));
  EXPECT_EQ(chunks.size(), big.size() / 16);
  std::set<char> bytes(big.begin(), big.end());
  EXPECT_GT(bytes.size(), 200u);
}

TEST(SystemRandomTest, FillsZeroBytes) { EXPECT_TRUE(SystemRandom().Fill(nullptr, 0).ok()); }

TEST(SystemRandomTest, ParentAndChildNeverShareNonces) {
  const std::vector<std::string> before = DrawMany(3);  // the parent's state is seeded
  const std::vector<std::string> child = RunChild([](int fd) { WriteAll(fd, DrawMany(kDraws)); });
  ASSERT_EQ(child.size(), static_cast<size_t>(kDraws));
  const std::vector<std::string> after = DrawMany(kDraws);
  ExpectAllDistinct({before, child, after});
}

TEST(SystemRandomTest, ForkFromAThreadReseedsTheChild) {
  std::vector<std::string> parent, child;
  std::thread worker([&] {
    parent = DrawMany(3);
    child = RunChild([](int fd) { WriteAll(fd, DrawMany(kDraws)); });
    std::vector<std::string> more = DrawMany(kDraws);
    parent.insert(parent.end(), more.begin(), more.end());
  });
  worker.join();
  ASSERT_EQ(child.size(), static_cast<size_t>(kDraws));
  ExpectAllDistinct({parent, child, DrawMany(kDraws)});
}

TEST(SystemRandomTest, AChildThatForksAgainReseedsTheGrandchild) {
  DrawMany(3);
  // The child writes its own draws, its child's, then its own again.
  const std::vector<std::string> lines = RunChild([](int fd) {
    const std::vector<std::string> mine = DrawMany(kDraws);
    const std::vector<std::string> grandchild =
        RunChild([](int inner) { WriteAll(inner, DrawMany(kDraws)); });
    std::vector<std::string> all = mine;
    all.insert(all.end(), grandchild.begin(), grandchild.end());
    const std::vector<std::string> later = DrawMany(kDraws);
    all.insert(all.end(), later.begin(), later.end());
    WriteAll(fd, all);
  });
  ASSERT_EQ(lines.size(), static_cast<size_t>(3 * kDraws));
  ExpectAllDistinct({lines, DrawMany(kDraws)});
}

TEST(SystemRandomTest, ManyThreadsDrawAtOnce) {
  constexpr int kThreads = 8;
  std::vector<std::vector<std::string>> drawn(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&drawn, t] { drawn[t] = DrawMany(500); });
  }
  for (std::thread& t : threads) t.join();
  ExpectAllDistinct(drawn);
}

TEST(FixedRandomTest, HandsOutValuesInOrderThenFails) {
  FixedRandom fixed({"abc", std::string(4, 'x')});
  absl::StatusOr<std::string> nonce = fixed.Nonce(18);
  ASSERT_TRUE(nonce.ok());
  EXPECT_EQ(*nonce, "abc");
  char out[4];
  EXPECT_FALSE(fixed.Fill(out, 3).ok());  // wrong size
  ASSERT_TRUE(fixed.Fill(out, 4).ok());
  EXPECT_EQ(std::string(out, 4), "xxxx");
  EXPECT_FALSE(fixed.Nonce(18).ok());
}

}  // namespace
}  // namespace saslkit
