#include "saslkit/oauth/token_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "saslkit/base/status.h"
#include "tests/testing/matchers.h"

namespace saslkit::oauth {
namespace {

using ::saslkit::testing::IsOk;
using ::saslkit::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

// A fresh private folder under $TMPDIR (or /tmp), removed with its contents afterwards.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/saslkit-store-XXXXXX";
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~TempDir() { std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

StoredAccount Sample(std::string name = "alice@example.com") {
  StoredAccount a;
  a.name = std::move(name);
  a.issuer = "https://issuer.example";
  a.token_endpoint = "https://issuer.example/token";
  a.client_id = "client-1";
  a.scope = "openid offline_access";
  a.username = "alice@example.com";
  a.refresh_token = SecretString("rt-\"quoted\"-\\-\x01-1");
  a.access_token = SecretString("at-1");
  a.access_obtained = absl::FromUnixSeconds(1700000000);
  a.access_expires = absl::FromUnixSeconds(1700003600);
  return a;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int ModeOf(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

std::vector<std::string> Files(const std::string& dir) {
  std::vector<std::string> out;
  FILE* p = ::popen(("ls -A '" + dir + "'").c_str(), "r");
  char line[512];
  while (p != nullptr && std::fgets(line, sizeof line, p) != nullptr) {
    std::string s(line);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    out.push_back(s);
  }
  if (p != nullptr) ::pclose(p);
  return out;
}

TEST(AccountNameTest, AcceptsEmailsAndRefusesPaths) {
  EXPECT_THAT(CheckAccountName("alice@example.com"), IsOk());
  EXPECT_THAT(CheckAccountName("work+2_x-y"), IsOk());
  EXPECT_THAT(CheckAccountName(""), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(CheckAccountName("../x"), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(CheckAccountName("a/b"), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(CheckAccountName(".hidden"), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(CheckAccountName("-flag"), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(CheckAccountName(std::string(129, 'a')), StatusIs(ErrorKind::kBadInput));
}

TEST(AccountJsonTest, RoundTripsEveryField) {
  StoredAccount a = Sample();
  a.grant = GrantKind::kClientCredentials;
  a.client_secret = SecretString("cs");
  a.revocation_endpoint = "https://issuer.example/revoke";
  a.ca_file = "/x/ca.pem";
  ASSERT_OK_AND_ASSIGN(StoredAccount b, AccountFromJson(AccountToJson(a)));
  EXPECT_EQ(b.name, a.name);
  EXPECT_EQ(b.grant, GrantKind::kClientCredentials);
  EXPECT_EQ(b.issuer, a.issuer);
  EXPECT_EQ(b.token_endpoint, a.token_endpoint);
  EXPECT_EQ(b.revocation_endpoint, a.revocation_endpoint);
  EXPECT_EQ(b.client_id, a.client_id);
  EXPECT_EQ(b.client_secret.view(), "cs");
  EXPECT_EQ(b.scope, a.scope);
  EXPECT_EQ(b.username, a.username);
  EXPECT_EQ(b.ca_file, a.ca_file);
  EXPECT_EQ(b.refresh_token.view(), a.refresh_token.view());
  EXPECT_EQ(b.access_token.view(), "at-1");
  EXPECT_EQ(b.access_obtained, a.access_obtained);
  EXPECT_EQ(b.access_expires, a.access_expires);
}

TEST(AccountJsonTest, KeepsAnEndlessToken) {
  StoredAccount a = Sample();
  a.access_expires = absl::InfiniteFuture();
  ASSERT_OK_AND_ASSIGN(StoredAccount b, AccountFromJson(AccountToJson(a)));
  EXPECT_EQ(b.access_expires, absl::InfiniteFuture());
}

TEST(AccountJsonTest, RefusesDamagedDocumentsWithoutQuotingThem) {
  for (const char* text : {"", "{", "[]", "{\"version\":1}", "{\"version\":2,\"name\":\"a\"}",
                           "{\"version\":1,\"name\":\"a\",\"token_endpoint\":\"x\","
                           "\"client_id\":\"c\",\"grant\":\"password\",\"access_expires\":0}",
                           "{\"version\":1,\"name\":\"../a\",\"token_endpoint\":\"x\","
                           "\"client_id\":\"c\",\"grant\":\"refresh_token\","
                           "\"refresh_token\":\"secret-rt\",\"access_expires\":0}"}) {
    absl::StatusOr<StoredAccount> a = AccountFromJson(SecretBytes(text));
    EXPECT_FALSE(a.ok()) << text;
    EXPECT_THAT(std::string(a.status().message()), Not(HasSubstr("secret-rt")));
  }
}

TEST(FileTokenStoreTest, DefaultDirectoryFollowsXdgStateHome) {
  const char* old_state = std::getenv("XDG_STATE_HOME");
  const std::string saved = old_state != nullptr ? old_state : "";
  ::setenv("XDG_STATE_HOME", "/srv/state", 1);
  EXPECT_EQ(FileTokenStore::DefaultDirectory(), "/srv/state/saslkit/oauth");
  ::setenv("XDG_STATE_HOME", "relative", 1);  // not absolute: ignored (XDG)
  const char* home = std::getenv("HOME");
  EXPECT_EQ(FileTokenStore::DefaultDirectory(),
            std::string(home != nullptr ? home : "/") + "/.local/state/saslkit/oauth");
  if (old_state != nullptr) {
    ::setenv("XDG_STATE_HOME", saved.c_str(), 1);
  } else {
    ::unsetenv("XDG_STATE_HOME");
  }
}

TEST(FileTokenStoreTest, CreatesAPrivateDirectoryAndPrivateFiles) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/state/saslkit/oauth";
  ::umask(022);
  ASSERT_OK_AND_ASSIGN(auto store, FileTokenStore::Open(dir));
  EXPECT_EQ(ModeOf(dir), 0700);
  ASSERT_THAT(store->Save(Sample()), IsOk());
  EXPECT_EQ(ModeOf(store->PathOf("alice@example.com")), 0600);
  ASSERT_OK_AND_ASSIGN(StoredAccount back, store->Load("alice@example.com"));
  EXPECT_EQ(back.access_token.view(), "at-1");
  ASSERT_OK_AND_ASSIGN(auto names, store->List());
  EXPECT_EQ(names, std::vector<std::string>{"alice@example.com"});
}

TEST(FileTokenStoreTest, RefusesADirectoryOthersCanRead) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/oauth";
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0);
  ::chmod(dir.c_str(), 0755);
  EXPECT_THAT(FileTokenStore::Open(dir), StatusIs(ErrorKind::kBadInput, "chmod 700"));
  ::chmod(dir.c_str(), 0700);
  EXPECT_THAT(FileTokenStore::Open(dir), IsOk());
}

TEST(FileTokenStoreTest, RefusesAFileOthersCanRead) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto store, FileTokenStore::Open(tmp.path() + "/oauth"));
  ASSERT_THAT(store->Save(Sample("work")), IsOk());
  for (int mode : {0640, 0604, 0660}) {
    ::chmod(store->PathOf("work").c_str(), mode);
    EXPECT_THAT(store->Load("work"), StatusIs(ErrorKind::kBadInput, "chmod 600"));
  }
  ::chmod(store->PathOf("work").c_str(), 0600);
  EXPECT_THAT(store->Load("work"), IsOk());
}

TEST(FileTokenStoreTest, RefusesAFileOwnedByAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file away";
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto store, FileTokenStore::Open(tmp.path() + "/oauth"));
  ASSERT_THAT(store->Save(Sample("work")), IsOk());
  ASSERT_EQ(::chown(store->PathOf("work").c_str(), 65534, 65534), 0);
  EXPECT_THAT(store->Load("work"), StatusIs(ErrorKind::kBadInput, "belongs to another user"));
  ASSERT_EQ(::chown(store->directory().c_str(), 65534, 65534), 0);
  EXPECT_THAT(FileTokenStore::Open(store->directory()),
              StatusIs(ErrorKind::kBadInput, "belongs to another user"));
}

TEST(FileTokenStoreTest, MissingAccountTellsTheUserToLogIn) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto store, FileTokenStore::Open(tmp.path() + "/oauth"));
  EXPECT_THAT(store->Load("nobody"),
              StatusIs(ErrorKind::kBadInput, "run: saslkit oauth login nobody"));
}

TEST(FileTokenStoreTest, SetsACorruptFileAsideAndNeverDeletesIt) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto store, FileTokenStore::Open(tmp.path() + "/oauth"));
  const std::string path = store->PathOf("work");
  const std::string damaged = "{\"version\":1,\"refresh_token\":\"secret-rt\"";  // truncated
  {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, damaged.data(), damaged.size()), static_cast<ssize_t>(damaged.size()));
    ::close(fd);
  }
  absl::StatusOr<StoredAccount> a = store->Load("work");
  EXPECT_THAT(a, StatusIs(ErrorKind::kMechanism, "is damaged"));
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("moved to " + path + ".corrupt-"));
  EXPECT_THAT(std::string(a.status().message()), HasSubstr("saslkit oauth login work"));
  EXPECT_THAT(std::string(a.status().message()), Not(HasSubstr("secret-rt")));
  // The original is gone from its name, kept byte for byte under the new one.
  EXPECT_NE(::access(path.c_str(), F_OK), 0);
  int aside = 0;
  for (const std::string& f : Files(store->directory())) {
    if (f.rfind("work.json.corrupt-", 0) == 0) {
      ++aside;
      EXPECT_EQ(ReadFile(store->directory() + "/" + f), damaged);
    }
  }
  EXPECT_EQ(aside, 1);
  // Now the account is simply missing, and a new login can save it again.
  EXPECT_THAT(store->Load("work"), StatusIs(ErrorKind::kBadInput));
  EXPECT_THAT(store->Save(Sample("work")), IsOk());
  EXPECT_THAT(store->Load("work"), IsOk());
}

TEST(FileTokenStoreTest, ReplacesAtomicallyAndLeavesNoTemporaryFile) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto store, FileTokenStore::Open(tmp.path() + "/oauth"));
  StoredAccount a = Sample("work");
  ASSERT_THAT(store->Save(a), IsOk());
  struct stat before;
  ASSERT_EQ(::stat(store->PathOf("work").c_str(), &before), 0);
  // A reader that opened the old file keeps reading the old version after the replace: the
  // name moved to a new file (rename), the old file was not rewritten in place.
  std::ifstream old_reader(store->PathOf("work"));
  a.access_token = SecretString("at-2");
  ASSERT_THAT(store->Save(a), IsOk());
  struct stat after;
  ASSERT_EQ(::stat(store->PathOf("work").c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);
  std::stringstream old_text;
  old_text << old_reader.rdbuf();
  EXPECT_THAT(old_text.str(), HasSubstr("\"at-1\""));
  EXPECT_THAT(ReadFile(store->PathOf("work")), HasSubstr("\"at-2\""));
  for (const std::string& f : Files(store->directory())) {
    EXPECT_EQ(f.find(".tmp-"), std::string::npos) << f;
  }
}

TEST(FileTokenStoreTest, ReadersNeverSeeAHalfWrittenAccount) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto store, FileTokenStore::Open(tmp.path() + "/oauth"));
  StoredAccount a = Sample("work");
  ASSERT_THAT(store->Save(a), IsOk());
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread reader([&] {
    ASSERT_OK_AND_ASSIGN(auto other, FileTokenStore::Open(tmp.path() + "/oauth"));
    while (!done.load()) {
      if (!other->Load("work").ok()) ++bad;
    }
  });
  for (int i = 0; i < 50; ++i) {
    a.access_token = SecretString(std::string(static_cast<size_t>(1 + i * 37 % 3000), 'x'));
    ASSERT_THAT(store->Save(a), IsOk());
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST(FileTokenStoreTest, ConcurrentSavesInOneProcessNeverCollide) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto store, FileTokenStore::Open(tmp.path() + "/oauth"));
  std::atomic<int> failed{0};
  auto saver = [&](const char* token) {
    StoredAccount a = Sample("work");
    a.access_token = SecretString(token);
    for (int i = 0; i < 25; ++i) {
      if (!store->Save(a).ok()) ++failed;
    }
  };
  std::thread one(saver, "at-one"), two(saver, "at-two");
  one.join();
  two.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_THAT(store->Load("work"), IsOk());
  for (const std::string& f : Files(store->directory())) {
    EXPECT_EQ(f.find(".tmp-"), std::string::npos) << f;
  }
}

TEST(FileTokenStoreTest, RemoveForgetsTheAccount) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto store, FileTokenStore::Open(tmp.path() + "/oauth"));
  ASSERT_THAT(store->Save(Sample("a")), IsOk());
  ASSERT_THAT(store->Save(Sample("b")), IsOk());
  ASSERT_THAT(store->Remove("a"), IsOk());
  EXPECT_THAT(store->Remove("a"), IsOk());  // already gone
  ASSERT_OK_AND_ASSIGN(auto names, store->List());
  EXPECT_EQ(names, std::vector<std::string>{"b"});
}

TEST(FileTokenStoreTest, LockExcludesAnotherStoreAndTimesOut) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto one, FileTokenStore::Open(tmp.path() + "/oauth"));
  ASSERT_OK_AND_ASSIGN(auto two, FileTokenStore::Open(tmp.path() + "/oauth"));
  absl::Status inner;
  ASSERT_THAT(one->WithLock("work", absl::Seconds(5), [&] {
    inner = two->WithLock("work", absl::Milliseconds(100), [] { return absl::OkStatus(); });
    return absl::OkStatus();
  }), IsOk());
  EXPECT_THAT(inner, StatusIs(ErrorKind::kTimeout, "another process"));
  // Released: now it is free; and another account's lock is independent.
  EXPECT_THAT(two->WithLock("work", absl::Milliseconds(100), [] { return absl::OkStatus(); }),
              IsOk());
}

TEST(FileTokenStoreTest, LockExcludesAnotherProcess) {
  TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto store, FileTokenStore::Open(tmp.path() + "/oauth"));
  int to_parent[2], to_child[2];
  ASSERT_EQ(::pipe(to_parent), 0);
  ASSERT_EQ(::pipe(to_child), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto mine = FileTokenStore::Open(tmp.path() + "/oauth");
    (void)(*mine)->WithLock("work", absl::Seconds(5), [&] {
      (void)!::write(to_parent[1], "L", 1);
      char go;
      (void)!::read(to_child[0], &go, 1);  // hold until the parent has seen the lock taken
      return absl::OkStatus();
    });
    ::_exit(0);
  }
  char c;
  ASSERT_EQ(::read(to_parent[0], &c, 1), 1);  // the child holds the lock now
  EXPECT_THAT(store->WithLock("work", absl::Milliseconds(50), [] { return absl::OkStatus(); }),
              StatusIs(ErrorKind::kTimeout));
  ASSERT_EQ(::write(to_child[1], "G", 1), 1);
  EXPECT_THAT(store->WithLock("work", absl::Seconds(10), [] { return absl::OkStatus(); }),
              IsOk());
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(to_parent[0]);
  ::close(to_parent[1]);
  ::close(to_child[0]);
  ::close(to_child[1]);
}

}  // namespace
}  // namespace saslkit::oauth
