#include "saslkit/net/transcript.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "saslkit/base/strings.h"
#include "saslkit/base/status.h"

namespace saslkit SASLKIT_EXPORT {
namespace {

// Escapes control and non-ASCII octets (so a hostile server cannot drive the terminal that shows
// the transcript) and cuts the line at `max_octets`.
std::string Printable(std::string_view line, size_t max_octets) {
  const size_t shown = std::min(line.size(), max_octets);
  std::string out;
  out.reserve(shown);
  for (size_t i = 0; i < shown; ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if ((c >= 0x20 && c < 0x7f) || c == '\t') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "\\x", absl::Hex(c, absl::kZeroPad2));
    }
  }
  if (line.size() > shown) absl::StrAppend(&out, "... (", line.size() - shown, " more octets)");
  return out;
}

std::string_view DirectionPrefix(TranscriptDirection direction) {
  switch (direction) {
    case TranscriptDirection::kClient: return "C: ";
    case TranscriptDirection::kServer: return "S: ";
    case TranscriptDirection::kNote: return "* ";
  }
  return "* ";
}

std::string FailureText(std::string_view what, const absl::Status& status) {
  return absl::StrCat(Av(what), " failed (", Av(ErrorKindName(KindOf(status))),
                      "): ", status.message());
}

}  // namespace

std::string RedactForTranscript(std::string_view line, size_t public_prefix) {
  const size_t kept = std::min(public_prefix, line.size());
  std::string out(line.substr(0, kept));
  const size_t hidden = line.size() - kept;
  if (hidden > 0) absl::StrAppend(&out, "<redacted ", hidden, " bytes>");
  return out;
}

std::string FormatTranscriptEntry(const TranscriptEntry& entry, bool with_time) {
  std::string out;
  if (with_time) {
    out = absl::FormatTime("%H:%M:%E3S ", entry.time, absl::UTCTimeZone());
  }
  absl::StrAppend(&out, Av(DirectionPrefix(entry.direction)), entry.text);
  return out;
}

Transcript::Transcript(Sink sink, TranscriptOptions options)
    : sink_(std::move(sink)), options_(options) {}

Transcript Transcript::ToFile(std::FILE* file, TranscriptOptions options) {
  const bool with_time = options.timestamps;
  return Transcript(
      [file, with_time](const TranscriptEntry& entry) {
        if (file == nullptr) return;
        std::string line = FormatTranscriptEntry(entry, with_time);
        line.push_back('\n');
        std::fwrite(line.data(), 1, line.size(), file);
        std::fflush(file);
      },
      options);
}

absl::StatusOr<Transcript> Transcript::ToPath(const std::string& path, TranscriptOptions options) {
  // 0600: with `show_secrets` the file holds credentials.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  std::FILE* file = fd >= 0 ? ::fdopen(fd, "a") : nullptr;
  if (file == nullptr) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    return Error(ErrorKind::kBadInput, absl::StrCat("transcript: cannot open ", path, ": ",
                                                    std::strerror(err)));
  }
  std::shared_ptr<std::FILE> owned(file, std::fclose);
  const bool with_time = options.timestamps;
  return Transcript(
      [owned, with_time](const TranscriptEntry& entry) {
        std::string line = FormatTranscriptEntry(entry, with_time);
        line.push_back('\n');
        std::fwrite(line.data(), 1, line.size(), owned.get());
        std::fflush(owned.get());
      },
      options);
}

void Transcript::RecordWrite(std::string_view bytes, Sensitivity sensitivity) {
  if (bytes.empty()) return;
  RecordLines(TranscriptDirection::kClient, bytes, sensitivity.secret && !options_.show_secrets,
              sensitivity.public_prefix);
}

void Transcript::RecordRead(std::string_view bytes) {
  if (bytes.empty()) {
    Emit(TranscriptDirection::kServer, "");  // an empty line is still a line
    return;
  }
  RecordLines(TranscriptDirection::kServer, bytes, /*redact=*/false);
}

void Transcript::RecordNote(std::string_view text) { Emit(TranscriptDirection::kNote, text); }

void Transcript::RecordLines(TranscriptDirection direction, std::string_view bytes, bool redact,
                             size_t public_prefix) {
  size_t shown = 0;
  size_t skipped = 0;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t lf = bytes.find('\n', pos);
    std::string_view line =
        bytes.substr(pos, lf == std::string_view::npos ? std::string_view::npos : lf - pos);
    pos = lf == std::string_view::npos ? bytes.size() : lf + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (shown >= options_.max_lines_per_write) {
      ++skipped;
      continue;
    }
    ++shown;
    if (redact) {
      Emit(direction, RedactForTranscript(line, shown == 1 ? public_prefix : 0));
    } else {
      Emit(direction, line);
    }
  }
  if (skipped > 0) Emit(direction, absl::StrCat("... ", skipped, " more lines"));
}

void Transcript::Emit(TranscriptDirection direction, std::string_view text) {
  if (!sink_) return;
  TranscriptEntry entry;
  entry.direction = direction;
  entry.text = Printable(text, options_.max_line_octets);
  entry.time = absl::Now();
  sink_(entry);
}

RecordingTransport::RecordingTransport(Transport& inner, Transcript transcript)
    : inner_(inner), transcript_(std::move(transcript)) {}

absl::Status RecordingTransport::Write(std::string_view bytes, Sensitivity sensitivity) {
  transcript_.RecordWrite(bytes, sensitivity);
  absl::Status status = inner_.Write(bytes, sensitivity);
  if (!status.ok()) transcript_.RecordNote(FailureText("write", status));
  return status;
}

absl::StatusOr<std::string> RecordingTransport::ReadLine(size_t max_octets,
                                                         absl::Duration timeout) {
  absl::StatusOr<std::string> line = inner_.ReadLine(max_octets, timeout);
  if (line.ok()) {
    transcript_.RecordRead(*line);
  } else {
    transcript_.RecordNote(FailureText("read", line.status()));
  }
  return line;
}

absl::StatusOr<std::string> RecordingTransport::ReadExact(size_t n, absl::Duration timeout) {
  absl::StatusOr<std::string> bytes = inner_.ReadExact(n, timeout);
  if (bytes.ok()) {
    transcript_.RecordNote(absl::StrCat("literal of ", n, " octets:"));
    if (!bytes->empty()) transcript_.RecordRead(*bytes);
  } else {
    transcript_.RecordNote(FailureText("read", bytes.status()));
  }
  return bytes;
}

absl::Status RecordingTransport::StartTls(const TlsOptions& options) {
  absl::Status status = inner_.StartTls(options);
  if (!status.ok()) {
    transcript_.RecordNote(FailureText("TLS", status));
    return status;
  }
  const TlsFacts& facts = inner_.tls();
  transcript_.RecordNote(absl::StrCat("TLS started: ", facts.protocol, " ", facts.cipher,
                                      ", peer ", facts.peer_subject.empty() ? "(none)"
                                                                             : facts.peer_subject,
                                      facts.verified ? ", verified" : ", NOT verified"));
  return status;
}

void RecordingTransport::Close() {
  transcript_.RecordNote("connection closed by client");
  inner_.Close();
}

}  // namespace saslkit
