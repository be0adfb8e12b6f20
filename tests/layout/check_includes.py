#!/usr/bin/env python3
"""Reads every #include in the library's parts and fails on an arrow the architecture does not
allow (README, "Architecture"). Usage: check_includes.py ROOT; exit 1 and one line per offence.

  base <- everything; crypto -> base; sasl -> base; net -> sasl, base;
  mechanisms -> sasl, crypto, base; oauth -> sasl, base; adapters -> sasl, net, crypto, base;
  asio -> net, sasl, base (optional, libsaslkit-asio).
  Nobody includes another part's internal/ (nor another adapter's or mechanism folder's).
"""
import os
import re
import sys

ALLOWED = {
    'base': {'base'},
    'crypto': {'crypto', 'base'},
    'sasl': {'sasl', 'base'},
    'net': {'net', 'sasl', 'base'},
    'mechanisms': {'mechanisms', 'sasl', 'crypto', 'base'},
    'oauth': {'oauth', 'sasl', 'base'},
    'adapters': {'adapters', 'sasl', 'net', 'crypto', 'base'},
    'asio': {'asio', 'net', 'sasl', 'base'},
}
INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)


def part_of(path):
  """Returns (part, folder) of a path relative to the root, e.g. ('adapters', 'adapters/imap')."""
  pieces = path.split('/')
  if pieces[0] not in ALLOWED:
    return None, None
  folder = '/'.join(pieces[:2]) if len(pieces) > 2 and pieces[1] != 'internal' else pieces[0]
  return pieces[0], folder


def internal_owner(target):
  """Returns the folder that owns an internal/ header: 'mechanisms/ntlm' for
  mechanisms/ntlm/internal/messages.h, 'adapters' for adapters/internal/line_words.h."""
  pieces = target.split('/')
  return '/'.join(pieces[:pieces.index('internal')])


def check(root):
  offences = []
  for part in ALLOWED:
    for dirpath, _, names in os.walk(os.path.join(root, part)):
      for name in sorted(names):
        if not name.endswith(('.h', '.cc')):
          continue
        path = os.path.relpath(os.path.join(dirpath, name), root)
        source_part, source_folder = part_of(path)
        with open(os.path.join(root, path), encoding='utf-8', errors='replace') as f:
          text = f.read()
        for match in INCLUDE.finditer(text):
          target = match.group(2)
          line = text.count('\n', 0, match.start()) + 1
          if not target.startswith('saslkit/'):
            head = target.split('/')[0]
            # An in-tree path without the saslkit/ prefix; <asio/...> is asio's own header.
            if head in ALLOWED and not (head == 'asio' and match.group(1) == '<'):
              offences.append(f'{path}:{line}: includes "{target}": write "saslkit/{target}"')
            continue
          target = target[len('saslkit/'):]
          target_part, _ = part_of(target)
          if target_part is None:
            # <saslkit/saslkit.h>, the umbrella, includes every part: no part may include it.
            offences.append(f'{path}:{line}: includes the umbrella "saslkit/{target}"')
            continue
          if target_part not in ALLOWED[source_part]:
            offences.append(f'{path}:{line}: {source_part} may not include {target_part} '
                            f'("saslkit/{target}")')
          elif '/internal/' in '/' + target:
            owner = internal_owner(target)
            if not (path + '/').startswith(owner + '/'):
              offences.append(f'{path}:{line}: includes another folder\'s internal header '
                              f'"saslkit/{target}"')
  return offences


def main():
  root = sys.argv[1] if len(sys.argv) > 1 else '.'
  offences = check(root)
  for o in offences:
    print(o)
  if offences:
    print(f'{len(offences)} include(s) break the architecture\'s arrows', file=sys.stderr)
    return 1
  print('includes: every arrow allowed')
  return 0


if __name__ == '__main__':
  sys.exit(main())
