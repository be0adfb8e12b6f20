#include "tests/interop/interop_harness.h"

#include <string>
#include <utility>

#include "saslkit/base/random.h"
#include "saslkit/base/status.h"

namespace saslkit::testing {

absl::StatusOr<std::unique_ptr<SaslMethod>> ClientSetup::Make() {
  MechanismContext context;
  context.service = service;
  context.host = host;
  context.port = 143;
  context.credentials = &credentials;
  context.random = &SystemRandom();
  context.tls = &tls;
  context.server_offers_plus = server_offers_plus;
  context.options = &options;
  return info.create(context);
}

namespace {

absl::Status Rejected(const InteropServer& server, std::string_view mechanism,
                      const ServerReply& reply) {
  return Error(ErrorKind::kRejected, std::string(server.library()) + " server rejected " +
                                         std::string(mechanism) + " (code " +
                                         std::to_string(reply.code) + "): " + reply.reason);
}

}  // namespace

absl::Status RunInterop(ClientSetup& client, InteropServer& server,
                        const InteropOptions& options) {
  absl::StatusOr<std::unique_ptr<SaslMethod>> made = client.Make();
  if (!made.ok()) return made.status();
  SaslMethod& method = **made;

  absl::StatusOr<std::optional<SecretBytes>> initial = method.Start();
  if (!initial.ok()) return initial.status();
  ServerReply reply = initial->has_value()
                          ? server.Start(std::optional<std::string_view>((*initial)->view()))
                          : server.Start(std::nullopt);

  for (int round = 0; round < 16; ++round) {
    if (options.alter_server_data && !reply.data.empty()) options.alter_server_data(reply.data);
    switch (reply.verdict) {
      case ServerReply::Verdict::kFailure:
        return Rejected(server, client.info.name, reply);
      case ServerReply::Verdict::kSuccess: {
        if (reply.data.empty()) return method.Conclude(std::nullopt);
        if (options.final_data == FinalData::kWithSuccess) {
          return method.Conclude(std::optional<std::string_view>(reply.data));
        }
        // The final message as a last challenge; the client must answer it with nothing.
        absl::StatusOr<Step> last = method.Next(reply.data);
        if (!last.ok()) return last.status();
        if (!last->response.empty()) {
          return Error(ErrorKind::kProtocol,
                       client.info.name + " answered the server's final message with " +
                           std::to_string(last->response.size()) + " octets");
        }
        return method.Conclude(std::nullopt);
      }
      case ServerReply::Verdict::kContinue: {
        absl::StatusOr<Step> step = method.Next(reply.data);
        if (!step.ok()) return step.status();  // the exchange would cancel here
        reply = server.Step(step->response.view());
        break;
      }
    }
  }
  return Error(ErrorKind::kProtocol, "the exchange did not end within 16 rounds");
}

ClientSetup Client(MechanismInfo info, const User& user) {
  ClientSetup client(std::move(info));
  client.credentials.username = user.name;
  client.credentials.password = SecretString(user.password);
  return client;
}

void AlterProof(std::string& message) {
  for (std::string_view prefix : {"rspauth=", "v="}) {
    if (message.rfind(prefix, 0) == 0 && message.size() > prefix.size()) {
      char& c = message[prefix.size()];
      c = (c == '0') ? '1' : '0';
    }
  }
}

TlsFacts Tls12WithUnique(std::string tls_unique) {
  TlsFacts tls;
  tls.active = true;
  tls.protocol = "TLSv1.2";
  tls.cipher = "ECDHE-RSA-AES128-GCM-SHA256";
  tls.tls_unique = std::move(tls_unique);
  return tls;
}

TlsFacts Tls13WithExporter(std::string exporter) {
  TlsFacts tls;
  tls.active = true;
  tls.protocol = "TLSv1.3";
  tls.cipher = "TLS_AES_128_GCM_SHA256";
  tls.tls_exporter = std::move(exporter);
  return tls;
}

}  // namespace saslkit::testing
