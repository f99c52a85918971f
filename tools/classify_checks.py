#!/usr/bin/env python3
"""Sorts CTC_CHECK sites into invariants and input errors (base/error.h).

A CTC_CHECK whose first message part names the user's input (a file, a folder,
a --flag, a model name the user typed) becomes CTC_CHECK_INPUT: its message is
then the sentence alone, without "[cond at file:line]". The rule is the two
sets below; everything else stays an invariant.

  tools/classify_checks.py list FILE...      each site: file, line, kind, first message part
  tools/classify_checks.py rewrite FILE...   rewrites the input sites in place
"""
import sys

INPUT_FIRST = {'file', 'file_', 'file_.name()', 'path', 'src', 'name_', 'dir', 'dataset_dir', 'folder',
               'r.run_dir', 'checkpoint', 'spec', 'temp_path_', 'split_file.empty() ? dataset_dir : split_file'}
INPUT_MESSAGES = ('"--weights', '"unknown model \'"', '"experiment grid must', '"experiment needs at least 1 seed"',
                  '"column must be 1 or more')
# Invariants that happen to start with a path: a caller's bug, not the user's file.
INVARIANT_TEXT = ('is undefined"', '"\' is on "', 'given twice"', 'write after commit', 'committed twice',
                  'PNG bit depth must', 'PNG needs 1 or 3', '": image size "', 'samples, its shape says')
OLD, NEW = 'CTC_CHECK(', 'CTC_CHECK_INPUT('


def calls(s):
    """(start, end, top-level arguments) of each CTC_CHECK( call in s."""
    i = 0
    while (i := s.find(OLD, i)) >= 0:
        k, depth, args, cur = i + len(OLD), 1, [], ''
        while depth:
            c = s[k]
            if c in '"\'':
                e = k + 1
                while s[e] != c:
                    e += 2 if s[e] == '\\' else 1
                cur += s[k:e + 1]
                k = e + 1
                continue
            depth += c in '([{'
            depth -= c in ')]}'
            if depth and not (c == ',' and depth == 1):
                cur += c
            elif depth:
                args.append(cur)
                cur = ''
            k += 1
        args.append(cur)
        yield i, k, [a.strip() for a in args]
        i = k


def is_input(path, args):
    first = args[1] if len(args) > 1 else ''
    if any(t in ','.join(args) for t in INVARIANT_TEXT):
        return False
    if first == 'what':  # only the stats command's values come from the user
        return path.endswith('tools/stats_input.cpp')
    return first in INPUT_FIRST or first.startswith(INPUT_MESSAGES)


def rewrite(s, path):
    """s with its input sites renamed, continuation lines re-aligned under the wider name."""
    for start, end, args in reversed(list(calls(s))):
        if not is_input(path, args):
            continue
        col = start - (s.rfind('\n', 0, start) + 1)
        lines = s[start:end].split('\n')
        pad = ' ' * (col + len(OLD))
        lines = [lines[0]] + [' ' * (len(NEW) - len(OLD)) + l if l.startswith(pad) else l for l in lines[1:]]
        s = s[:start] + NEW + '\n'.join(lines)[len(OLD):] + s[end:]
    return s


if __name__ == '__main__':
    mode, files = sys.argv[1], sys.argv[2:]
    for f in files:
        s = open(f).read()
        if mode == 'list':
            for start, _, args in calls(s):
                kind = 'input' if is_input(f, args) else 'invariant'
                print(f'{f}:{s.count(chr(10), 0, start) + 1}: {kind}: {args[1] if len(args) > 1 else ""}')
        elif mode == 'rewrite':
            new = rewrite(s, f)
            if new != s:
                open(f, 'w').write(new)
