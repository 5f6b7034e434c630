#!/usr/bin/env python3
"""maincf_check.py - checks on main.cf files for the shell tests, written
from Postfix's rules (postconf(5): a logical line starts with a
non-whitespace character; a line starting with whitespace continues it;
comment lines and blank lines are skipped and do not end it), independent
of relaydeck's own parser.

Usage:
  maincf_check.py termsafe < TEXT        TEXT as relaydeck's command line
                                         prints it (controls as \\xNN, C1
                                         and line breakers as \\uNNNN,
                                         malformed UTF-8 per byte)
  maincf_check.py continued FILE         the name of the definition that
                                         spans the most continuation lines
                                         (effective definitions of names
                                         relaydeck edits), or nothing
  maincf_check.py span OLD NEW NAME [--line|--tail]
                                         exit 0 when NEW differs from OLD
                                         only inside the logical line that
                                         defines NAME last (or by lines
                                         added at the end when OLD does not
                                         set NAME), with the comment and
                                         blank lines among its lines kept in
                                         order; else a reason, exit 1.
                                         --line: a definition on one line
                                         keeps its bytes around the value
                                         (name, spacing around '=', trailing
                                         blanks, line end). --tail: an edit
                                         at the end of the value keeps every
                                         line before the last one with words
"""
import re
import sys

NAME_OK = re.compile(rb'^[A-Za-z0-9_.-]{1,256}$')
SPACE = b' \t\n\v\f\r'


def rows(data):
    """Physical lines with their terminators (split at LF only)."""
    out = re.findall(rb'[^\n]*\n|[^\n]+$', data) if data else []
    return out


def kind(row, first):
    body = row.rstrip(b'\n')
    stripped = body.lstrip(SPACE)
    if not stripped:
        return 'blank'
    if stripped.startswith(b'#'):
        return 'comment'
    if len(stripped) < len(body):
        return 'orphan' if first else 'cont'
    return 'start'


def definitions(data):
    """(name, first row, last content row) of each logical line."""
    out = []
    cur = None
    for i, row in enumerate(rows(data)):
        k = kind(row, cur is None)
        if k == 'start':
            if cur:
                out.append(tuple(cur))
            name = re.match(rb'[^ \t\n\v\f\r=]*', row).group(0)
            cur = [name, i, i]
        elif k == 'cont' and cur:
            cur[2] = i
    if cur:
        out.append(tuple(cur))
    return out


def effective(data, name):
    found = None
    for d in definitions(data):
        if d[0] == name:
            found = d
    return found


def cmd_termsafe():
    data = sys.stdin.buffer.read()
    out = []
    i = 0
    while i < len(data):
        b = data[i]
        if b < 0x80:
            if b in (0x0a, 0x09) or 0x20 <= b < 0x7f:
                out.append(chr(b))
            else:
                out.append('\\x%02x' % b)
            i += 1
            continue
        n = 2 if 0xc2 <= b <= 0xdf else 3 if 0xe0 <= b <= 0xef else 4 if 0xf0 <= b <= 0xf4 else 0
        try:
            ch = data[i:i + n].decode('utf-8') if n else None
        except UnicodeDecodeError:
            ch = None
        if ch is None or len(ch) != 1:
            out.append('\\x%02x' % b)
            i += 1
            continue
        cp = ord(ch)
        if 0x80 <= cp <= 0x9f or cp in (0x2028, 0x2029) or 0x202a <= cp <= 0x202e \
                or 0x2066 <= cp <= 0x2069:
            out.append('\\u%04x' % cp)
        else:
            out.append(ch)
        i += n
    sys.stdout.buffer.write(''.join(out).encode('utf-8', 'surrogatepass'))


def cmd_continued(path):
    data = open(path, 'rb').read()
    last = {}
    for d in definitions(data):
        last[d[0]] = d
    best = None
    for d in definitions(data):
        if last[d[0]] is not d or not NAME_OK.match(d[0]):
            continue
        conts = sum(1 for r in rows(data)[d[1] + 1:d[2] + 1] if kind(r, False) == 'cont')
        if conts and (best is None or conts > best[0]):
            best = (conts, d[0])
    if best:
        sys.stdout.buffer.write(best[1] + b'\n')


def line_layout(row):
    """(before the value, the value, after it) of a definition's one line."""
    m = re.match(rb'([^=]*=)([ \t\v\f\r]*?)([^ \t\v\f\r\n](?:.*[^ \t\v\f\r\n])?)?'
                 rb'([ \t\v\f\r]*)(\r?\n)?$', row, re.S)
    return m.group(1), m.group(2), m.group(3) or b'', m.group(4), m.group(5) or b''


def check_line(old_row, new_rows):
    if len(new_rows) != 1:
        return 'a one-line definition became %d lines' % len(new_rows)
    p, g, v, t, e = line_layout(old_row)
    p2, g2, v2, t2, e2 = line_layout(new_rows[0])
    if not v:
        # nothing after '=': its blanks were the gap before a value
        g, t = g + t, b''
        if g2 == b'' or v2 == b'':
            g2, t2 = g2 + t2, b''
    if (p, e) != (p2, e2) or (v and v2 and (g, t) != (g2, t2)) or (not v and g and g2 != g):
        return 'layout changed: %r -> %r' % (old_row, new_rows[0])
    return None


def cmd_span(old_path, new_path, name, mode=None):
    old = open(old_path, 'rb').read()
    new = open(new_path, 'rb').read()
    name = name.encode()
    d = effective(old, name)
    orows, nrows = rows(old), rows(new)
    if d is None:
        # a new name: the old bytes come first (a missing final newline
        # may be added), then only lines that define it
        base = old if old.endswith(b'\n') or not old else old + (b'\r\n' if b'\r\n' in old else b'\n')
        if not new.startswith(base):
            return fail('the lines before the new definition changed')
        added = new[len(base):]
        dd = definitions(added)
        if len(dd) != 1 or dd[0][0] != name:
            return fail('more than the new definition was added: %r' % added[:200])
        return 0
    first, last = d[1], d[2]
    head, tail = orows[:first], orows[last + 1:]
    if nrows[:len(head)] != head:
        return fail('lines before line %d changed' % (first + 1))
    if tail and nrows[len(nrows) - len(tail):] != tail:
        return fail('lines after line %d changed' % (last + 1))
    middle_old = orows[first:last + 1]
    middle_new = nrows[len(head):len(nrows) - len(tail)]
    if len(middle_new) < 1:
        return fail('the definition is gone')
    # the middle must be one logical line of NAME, comments kept in order
    dd = definitions(b''.join(middle_new))
    if len(dd) != 1 or dd[0][0] != name:
        return fail('the edited lines are not one definition of the name: %r' % middle_new[:5])
    comments = [r.rstrip(b'\r\n') for r in middle_old[1:] if kind(r, False) in ('comment', 'blank')]
    kept = iter(r.rstrip(b'\r\n') for r in middle_new[1:])
    for c in comments:
        if not any(c == k for k in kept):
            return fail('comment or blank line lost or moved out of order: %r' % c)
    if mode == '--line' and len(middle_old) == 1:
        why = check_line(middle_old[0], middle_new)
        if why:
            return fail(why)
    if mode == '--tail':
        words = [i for i, r in enumerate(middle_old)
                 if i == 0 and line_layout(r)[2] or i > 0 and kind(r, False) == 'cont']
        same = middle_old[:words[-1]] if words else middle_old
        if middle_new[:len(same)] != same:
            return fail('lines before the last one with words changed')
    return 0


def fail(msg):
    print(msg)
    return 1


def main(argv):
    if len(argv) >= 2 and argv[1] == 'termsafe':
        return cmd_termsafe()
    if len(argv) == 3 and argv[1] == 'continued':
        return cmd_continued(argv[2])
    if len(argv) in (5, 6) and argv[1] == 'span':
        return cmd_span(argv[2], argv[3], argv[4], argv[5] if len(argv) == 6 else None)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv) or 0)
