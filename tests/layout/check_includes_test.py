#!/usr/bin/env python3
"""Tests the include checker itself: a small tree with allowed includes passes, and each kind
of forbidden include (an arrow the wrong way, another part's internal/, an unprefixed path)
makes it fail and name the file and line."""
import os
import subprocess
import sys
import tempfile

CHECKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'check_includes.py')


def run(files):
  with tempfile.TemporaryDirectory() as root:
    for path, text in files.items():
      os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
      with open(os.path.join(root, path), 'w') as f:
        f.write(text)
    p = subprocess.run([sys.executable, CHECKER, root], capture_output=True, text=True)
    return p.returncode, p.stdout


GOOD = {
    'base/status.h': '#include <string>\n',
    'sasl/policy.h': '#include "saslkit/base/status.h"\n',
    'mechanisms/ntlm/ntlm.cc': '#include "saslkit/mechanisms/ntlm/internal/messages.h"\n'
                               '#include "saslkit/crypto/hmac.h"\n',
    'mechanisms/ntlm/internal/messages.h': '#include "saslkit/sasl/mechanism.h"\n',
    'adapters/imap/imap_client.cc': '#include "saslkit/net/connection.h"\n'
                                    '#include "saslkit/adapters/internal/line_words.h"\n',
    'asio/async_login.cc': '#include <asio/write.hpp>\n'
                           '#include "saslkit/sasl/login_driver.h"\n'
                           '#include "saslkit/net/memory_tls.h"\n',
}
failures = 0


def expect(name, files, code, fragment):
  global failures
  got, out = run(files)
  if got != code or fragment not in out:
    failures += 1
    print(f'FAIL {name}: exit {got}, output:\n{out}')
  else:
    print(f'ok   {name}')


expect('allowed tree passes', GOOD, 0, 'every arrow allowed')
expect('adapter including a mechanism fails',
       dict(GOOD, **{'adapters/pop3/pop3_client.cc': '#include <string>\n\n'
                     '#include "saslkit/mechanisms/native.h"\n'}),
       1, 'adapters/pop3/pop3_client.cc:3: adapters may not include mechanisms')
expect('core including net fails',
       dict(GOOD, **{'sasl/login.cc': '#include "saslkit/net/tcp_transport.h"\n'}),
       1, 'sasl/login.cc:1: sasl may not include net')
expect('base including sasl fails',
       dict(GOOD, **{'base/json.cc': '#include "saslkit/sasl/credentials.h"\n'}),
       1, 'base may not include sasl')
expect('another folder\'s internal header fails',
       dict(GOOD, **{'mechanisms/scram/scram.cc':
                     '#include "saslkit/mechanisms/ntlm/internal/messages.h"\n'}),
       1, 'another folder\'s internal header')
expect('a path without saslkit/ fails',
       dict(GOOD, **{'net/transcript.cc': '#include "sasl/transport.h"\n'}),
       1, 'write "saslkit/sasl/transport.h"')
expect('asio including a mechanism fails',
       dict(GOOD, **{'asio/async_login.cc': '#include "saslkit/mechanisms/builtins.h"\n'}),
       1, 'asio/async_login.cc:1: asio may not include mechanisms')
expect('a quoted asio/ path without saslkit/ fails',
       dict(GOOD, **{'asio/async_login.cc': '#include "asio/async_login.h"\n'}),
       1, 'write "saslkit/asio/async_login.h"')
expect('asio including an adapter fails',
       dict(GOOD, **{'asio/async_login.cc': '#include "saslkit/adapters/imap/imap_login.h"\n'}),
       1, 'asio may not include adapters')
expect('an adapter including asio fails',
       dict(GOOD, **{'adapters/imap/imap_login.cc': '#include "saslkit/asio/async_login.h"\n'}),
       1, 'adapters may not include asio')
expect('a part including the umbrella header fails',
       dict(GOOD, **{'net/connection.cc': '#include "saslkit/saslkit.h"\n'}),
       1, 'net/connection.cc:1: includes the umbrella "saslkit/saslkit.h"')
sys.exit(1 if failures else 0)
