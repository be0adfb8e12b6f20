#include "saslkit/oauth/token_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "saslkit/base/json.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace oauth {
namespace {

constexpr size_t kMaxAccountFile = 64 * 1024;
constexpr int kFormatVersion = 1;

std::string ErrnoText(int err) { return std::strerror(err); }

absl::Status StoreError(std::string_view what, const std::string& path, int err) {
  return Error(ErrorKind::kMechanism,
               absl::StrCat("token store: ", Av(what), " ", path, ": ", ErrnoText(err)));
}

// Closes a descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and returns close(2)'s error (0 for none): a failed close may lose written data.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

std::string_view GrantName(GrantKind g) {
  return g == GrantKind::kClientCredentials ? "client_credentials" : "refresh_token";
}

// Refuses a file or folder that others may read or that another user owns, as ssh does.
absl::Status CheckPrivate(const struct stat& st, const std::string& path, bool directory) {
  if (st.st_uid != ::geteuid()) {
    return Error(ErrorKind::kBadInput,
                 absl::StrCat("token store: ", path, " belongs to another user (uid ", st.st_uid,
                              "); refusing to use it"));
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error(ErrorKind::kBadInput,
                 absl::StrCat("token store: ", path, " is accessible by others (mode ", mode,
                              "); refusing to use it: run chmod ", directory ? "700 " : "600 ",
                              path));
  }
  return absl::OkStatus();
}

// Creates `path` and its missing parents with mode 0700.
absl::Status MakeDirectories(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    const std::string part = path.substr(0, i);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) {
      return StoreError("cannot create", part, errno);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckAccountName(std::string_view name) {
  if (name.empty() || name.size() > 128) {
    return Error(ErrorKind::kBadInput, "OAuth account name must have 1 to 128 characters");
  }
  if (name[0] == '.' || name[0] == '-') {
    return Error(ErrorKind::kBadInput, "OAuth account name must not start with '.' or '-'");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '+' || c == '-';
    if (!ok) {
      return Error(ErrorKind::kBadInput,
                   "OAuth account name may hold only letters, digits and . _ @ + -");
    }
  }
  return absl::OkStatus();
}

SecretBytes AccountToJson(const StoredAccount& a) {
  JsonWriter w;
  w.StartObject();
  w.Key("version");
  w.Int(kFormatVersion);
  w.Key("name");
  w.String(a.name);
  w.Key("grant");
  w.String(GrantName(a.grant));
  w.Key("issuer");
  w.String(a.issuer);
  w.Key("token_endpoint");
  w.String(a.token_endpoint);
  w.Key("revocation_endpoint");
  w.String(a.revocation_endpoint);
  w.Key("client_id");
  w.String(a.client_id);
  w.Key("client_secret");
  w.String(a.client_secret.view());
  w.Key("scope");
  w.String(a.scope);
  w.Key("username");
  w.String(a.username);
  w.Key("ca_file");
  w.String(a.ca_file);
  w.Key("refresh_token");
  w.String(a.refresh_token.view());
  w.Key("access_token");
  w.String(a.access_token.view());
  // Seconds since the epoch; -1: the endpoint gave no lifetime.
  w.Key("access_expires");
  w.Int64(a.access_expires == absl::InfiniteFuture() ? -1 : absl::ToUnixSeconds(a.access_expires));
  w.Key("access_obtained");
  w.Int64(a.access_obtained == absl::InfinitePast() ? 0 : absl::ToUnixSeconds(a.access_obtained));
  w.EndObject();
  return w.Take();
}

absl::StatusOr<StoredAccount> AccountFromJson(SecretBytes text) {
  SASLKIT_ASSIGN_OR_RETURN(JsonDocument doc,
                           JsonDocument::ParseInPlace(std::move(text), kJsonObject));
  if (!doc.IsObject()) return Error(ErrorKind::kProtocol, "not a JSON object");
  const auto version = doc.Int64("version");
  if (!version.has_value() || *version != kFormatVersion) {
    return Error(ErrorKind::kProtocol, "unknown or missing \"version\"");
  }
  StoredAccount a;
  struct Field {
    const char* key;
    std::string* out;
    bool required;
  };
  const Field fields[] = {
      {"name", &a.name, true},
      {"issuer", &a.issuer, false},
      {"token_endpoint", &a.token_endpoint, true},
      {"revocation_endpoint", &a.revocation_endpoint, false},
      {"client_id", &a.client_id, true},
      {"scope", &a.scope, false},
      {"username", &a.username, false},
      {"ca_file", &a.ca_file, false},
  };
  for (const Field& f : fields) {
    const auto v = doc.String(f.key);
    if (!v.has_value()) {
      if (f.required) return Error(ErrorKind::kProtocol, absl::StrCat("no \"", f.key, "\""));
      continue;
    }
    *f.out = std::string(*v);
  }
  SASLKIT_RETURN_IF_ERROR(CheckAccountName(a.name));
  const auto grant = doc.String("grant");
  if (!grant.has_value() || (*grant != "refresh_token" && *grant != "client_credentials")) {
    return Error(ErrorKind::kProtocol, "unknown or missing \"grant\"");
  }
  a.grant = *grant == "client_credentials" ? GrantKind::kClientCredentials
                                           : GrantKind::kRefreshToken;
  if (auto v = doc.String("client_secret")) a.client_secret = SecretString(*v);
  if (auto v = doc.String("refresh_token")) a.refresh_token = SecretString(*v);
  if (auto v = doc.String("access_token")) a.access_token = SecretString(*v);
  const auto expires = doc.Int64("access_expires");
  if (!expires.has_value()) return Error(ErrorKind::kProtocol, "no \"access_expires\"");
  a.access_expires = *expires < 0 ? absl::InfiniteFuture() : absl::FromUnixSeconds(*expires);
  const auto obtained = doc.Int64("access_obtained");
  a.access_obtained = obtained.value_or(0) <= 0 ? absl::InfinitePast()
                                                : absl::FromUnixSeconds(*obtained);
  if (a.grant == GrantKind::kRefreshToken && a.refresh_token.empty() &&
      a.access_token.empty()) {
    return Error(ErrorKind::kProtocol, "neither a refresh token nor an access token");
  }
  return a;
}

std::string FileTokenStore::DefaultDirectory() {
  const char* state = std::getenv("XDG_STATE_HOME");
  if (state != nullptr && state[0] == '/') return std::string(state) + "/saslkit/oauth";
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && home[0] != '\0' ? home : "/") +
         "/.local/state/saslkit/oauth";
}

absl::StatusOr<std::unique_ptr<FileTokenStore>> FileTokenStore::Open(std::string directory) {
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
  if (directory.empty() || directory[0] != '/') {
    return Error(ErrorKind::kBadInput, "token store: the directory must be an absolute path");
  }
  struct stat st;
  if (::lstat(directory.c_str(), &st) != 0) {
    if (errno != ENOENT) return StoreError("cannot examine", directory, errno);
    SASLKIT_RETURN_IF_ERROR(MakeDirectories(directory));
    if (::lstat(directory.c_str(), &st) != 0) return StoreError("cannot examine", directory, errno);
  }
  if (!S_ISDIR(st.st_mode)) {
    return Error(ErrorKind::kBadInput,
                 absl::StrCat("token store: ", directory, " is not a directory"));
  }
  SASLKIT_RETURN_IF_ERROR(CheckPrivate(st, directory, /*directory=*/true));
  return std::unique_ptr<FileTokenStore>(new FileTokenStore(std::move(directory)));
}

std::string FileTokenStore::PathOf(std::string_view name) const {
  return absl::StrCat(directory_, "/", Av(name), ".json");
}

absl::StatusOr<StoredAccount> FileTokenStore::Load(std::string_view name) {
  SASLKIT_RETURN_IF_ERROR(CheckAccountName(name));
  const std::string path = PathOf(name);
  Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      return Error(ErrorKind::kBadInput,
                   absl::StrCat("no OAuth account \"", Av(name), "\" in ", directory_,
                                "; run: saslkit oauth login ", Av(name)));
    }
    return StoreError("cannot open", path, errno);
  }
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return StoreError("cannot examine", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return Error(ErrorKind::kBadInput, absl::StrCat("token store: ", path, " is not a file"));
  }
  SASLKIT_RETURN_IF_ERROR(CheckPrivate(st, path, /*directory=*/false));
  SecretBytes text;
  bool too_long = false;
  for (;;) {
    char* room = text.Extend(4096);
    const ssize_t n = ::read(fd.get(), room, 4096);
    if (n < 0) {
      if (errno == EINTR) {
        text.Resize(text.size() - 4096);
        continue;
      }
      return StoreError("cannot read", path, errno);
    }
    text.Resize(text.size() - 4096 + static_cast<size_t>(n));
    if (n == 0) break;
    if (text.size() > kMaxAccountFile) {
      too_long = true;
      break;
    }
  }
  absl::StatusOr<StoredAccount> account =
      too_long ? BoundError("longer than 64 KiB") : AccountFromJson(std::move(text));
  if (account.ok() && account->name != name) {
    account = Error(ErrorKind::kProtocol, "it names another account");
  }
  if (account.ok()) return account;
  // Set the damaged file aside for the user to inspect; never delete it. Only the very file we
  // read (a save may have replaced it since: Load runs without the lock), and never over an
  // earlier set-aside file (RENAME_NOREPLACE, a counter on a clash).
  std::string where = "; it was replaced meanwhile and left alone";
  struct stat now;
  if (::lstat(path.c_str(), &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino) {
    const std::string stem = absl::StrCat(path, ".corrupt-", absl::ToUnixSeconds(absl::Now()));
    where = "; it could not be moved aside";
    for (int i = 0; i < 100; ++i) {
      const std::string aside = i == 0 ? stem : absl::StrCat(stem, "-", i);
      if (::renameat2(AT_FDCWD, path.c_str(), AT_FDCWD, aside.c_str(), RENAME_NOREPLACE) == 0) {
        where = absl::StrCat("; it was moved to ", aside);
        break;
      }
      if (errno != EEXIST) {
        where = absl::StrCat("; it could not be moved aside (", ErrnoText(errno), ")");
        break;
      }
    }
  }
  return Error(ErrorKind::kMechanism,
               absl::StrCat("token store: ", path, " is damaged (", account.status().message(),
                            ")", where, "; run: saslkit oauth login ", Av(name)));
}

absl::Status FileTokenStore::Save(const StoredAccount& account) {
  SASLKIT_RETURN_IF_ERROR(CheckAccountName(account.name));
  const std::string path = PathOf(account.name);
  // Unique per process and call, so concurrent saves never share a temporary file.
  static std::atomic<uint64_t> serial{0};
  const std::string temp = absl::StrCat(path, ".tmp-", ::getpid(), "-", serial.fetch_add(1));
  const SecretBytes text = AccountToJson(account);
  ::unlink(temp.c_str());  // a leftover of a crashed run with our (recycled) pid
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) return StoreError("cannot create", temp, errno);
  auto fail = [&](std::string_view what, int err) {
    ::unlink(temp.c_str());
    return StoreError(what, temp, err);
  };
  if (::fchmod(fd.get(), 0600) != 0) return fail("cannot chmod", errno);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write", errno);
    }
    done += static_cast<size_t>(n);
  }
  // The data reaches the disk before the name points at it; then the rename itself.
  if (::fsync(fd.get()) != 0) return fail("cannot fsync", errno);
  if (const int err = fd.Close(); err != 0) return fail("cannot close", err);
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail("cannot rename", errno);
  Fd dir(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return StoreError("cannot open", directory_, errno);
  if (::fsync(dir.get()) != 0) return StoreError("cannot fsync", directory_, errno);
  return absl::OkStatus();
}

absl::Status FileTokenStore::Remove(std::string_view name) {
  SASLKIT_RETURN_IF_ERROR(CheckAccountName(name));
  const std::string path = PathOf(name);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return StoreError("cannot remove", path, errno);
  // The lock file stays: another process may hold or wait for it.
  Fd dir(::open(directory_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> FileTokenStore::List() {
  DIR* dir = ::opendir(directory_.c_str());
  if (dir == nullptr) return StoreError("cannot list", directory_, errno);
  std::vector<std::string> names;
  while (const struct dirent* e = ::readdir(dir)) {
    std::string_view file = e->d_name;
    constexpr std::string_view kSuffix = ".json";
    if (file.size() <= kSuffix.size() || file.substr(file.size() - kSuffix.size()) != kSuffix) {
      continue;
    }
    file.remove_suffix(kSuffix.size());
    if (CheckAccountName(file).ok()) names.emplace_back(file);
    if (names.size() >= 10000) break;  // bounded
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

absl::Status FileTokenStore::WithLock(std::string_view name, absl::Duration wait,
                                      absl::FunctionRef<absl::Status()> fn) {
  SASLKIT_RETURN_IF_ERROR(CheckAccountName(name));
  const std::string path = absl::StrCat(directory_, "/", Av(name), ".lock");
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) return StoreError("cannot open", path, errno);
  // flock: the lock belongs to this open file description, so two stores in one process
  // exclude each other as two processes do. Polled, so the wait is bounded.
  const absl::Time deadline = absl::Now() + wait;
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) return StoreError("cannot lock", path, errno);
    if (absl::Now() >= deadline) {
      return Error(ErrorKind::kTimeout,
                   absl::StrCat("token store: another process has held ", path, " for over ",
                                absl::FormatDuration(wait)));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  absl::Status result = fn();
  ::flock(fd.get(), LOCK_UN);
  return result;
}

}  // namespace oauth
}  // namespace saslkit
