// Transcripts: a readable record of a conversation ("C: EHLO me", "S: 250 ok", "* TLS started:
// ..."), safe to paste into a bug report. Writes marked `Sensitivity::kSecret` are redacted
// unless the caller explicitly sets `show_secrets`; every entry is one escaped, bounded line.
//
//   Transcript transcript = Transcript::ToFile(stderr);
//   RecordingTransport recording(*tcp, transcript);
//   SASLKIT_RETURN_IF_ERROR(recording.Write("AUTH PLAIN AGJvYgBwdw==\r\n", Sensitivity::kSecret));
#ifndef SASLKIT_NET_TRANSCRIPT_H_
#define SASLKIT_NET_TRANSCRIPT_H_

#include "saslkit/base/export.h"

#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "saslkit/sasl/transport.h"

namespace saslkit SASLKIT_EXPORT {

struct TranscriptOptions {
  bool show_secrets = false;          // log `kSecret` writes as they are: for a private lab only
  bool timestamps = false;            // prefix file lines with the UTC time of day
  size_t max_lines_per_write = 50;    // then "... N more lines"
  size_t max_line_octets = 1000;      // longer lines end in "... (N more octets)"
};

enum class TranscriptDirection { kClient, kServer, kNote };

struct TranscriptEntry {
  TranscriptDirection direction = TranscriptDirection::kNote;
  std::string text;  // one line: no line end, control and non-ASCII octets as \xNN, redacted
  absl::Time time;
};

// Returns `line` with its octets from `public_prefix` on replaced by "<redacted N bytes>". The
// writer of the line says where its secret part starts (`Sensitivity::public_prefix`: the
// exchange keeps "AUTH PLAIN " and "A1 AUTHENTICATE PLAIN " visible); nothing here reads
// protocol words. A prefix beyond the line keeps it whole.
std::string RedactForTranscript(std::string_view line, size_t public_prefix = 0);

// Returns "C: text", "S: text" or "* text", with "HH:MM:SS.mmm " in front when `with_time`.
std::string FormatTranscriptEntry(const TranscriptEntry& entry, bool with_time);

// Turns traffic into entries and hands them to a sink. Not thread-safe; copies share the sink.
class Transcript {
 public:
  using Sink = std::function<void(const TranscriptEntry&)>;

  explicit Transcript(Sink sink, TranscriptOptions options = {});

  // Returns a transcript that prints formatted lines to `file` and flushes each; keeps `file`
  // (not owned, must outlive every copy).
  static Transcript ToFile(std::FILE* file, TranscriptOptions options = {});

  // Opens `path` for appending (created with mode 0600) and returns a transcript printing to
  // it; the file closes with the last copy. Fails with kBadInput when it cannot be opened.
  static absl::StatusOr<Transcript> ToPath(const std::string& path, TranscriptOptions options = {});

  // Records client bytes line by line, at most `max_lines_per_write` of them, redacting each
  // line of a `kSecret` write with `RedactForTranscript` unless `show_secrets`.
  void RecordWrite(std::string_view bytes, Sensitivity sensitivity);
  // Records one line received from the server (or the lines of a literal).
  void RecordRead(std::string_view bytes);
  // Records a note such as "TLS started: ...".
  void RecordNote(std::string_view text);

  const TranscriptOptions& options() const { return options_; }

 private:
  // Records each line of `bytes`; with `redact`, every line redacted, the first one after
  // `public_prefix` octets.
  void RecordLines(TranscriptDirection direction, std::string_view bytes, bool redact,
                   size_t public_prefix = 0);
  void Emit(TranscriptDirection direction, std::string_view text);

  Sink sink_;
  TranscriptOptions options_;
};

// A `Transport` that passes every call to `inner` and records it in a transcript: "C:" lines for
// writes, "S:" lines for reads, "*" notes for TLS, failures and closing.
class RecordingTransport final : public Transport {
 public:
  // Keeps a reference to `inner`, which must outlive this object.
  RecordingTransport(Transport& inner, Transcript transcript);

  // Records `bytes` (redacted per `sensitivity`) and writes them; a failure is noted.
  absl::Status Write(std::string_view bytes, Sensitivity sensitivity) override;
  // Reads through `inner` and records the line or the failure.
  absl::StatusOr<std::string> ReadLine(size_t max_octets, absl::Duration timeout) override;
  absl::StatusOr<std::string> ReadExact(size_t n, absl::Duration timeout) override;
  // Starts TLS through `inner` and notes the protocol, cipher, peer and verification.
  absl::Status StartTls(const TlsOptions& options) override;
  const TlsFacts& tls() const override { return inner_.tls(); }
  bool HasBufferedInput() const override { return inner_.HasBufferedInput(); }
  void Close() override;
  absl::StatusOr<ReleasedConnection> Release() override { return inner_.Release(); }

  Transcript& transcript() { return transcript_; }

 private:
  Transport& inner_;
  Transcript transcript_;
};

}  // namespace saslkit

#endif  // SASLKIT_NET_TRANSCRIPT_H_
