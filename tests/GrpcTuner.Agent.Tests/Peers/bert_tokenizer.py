"""Hugging Face's BertTokenizer (the slow, pure-Python one), written from its documented
algorithm: BasicTokenizer (clean text, split CJK ideographs, NFC, whitespace split, lower-case
and strip accents, split on every punctuation character) then WordpieceTokenizer (greedy
longest match with '##', [UNK] for a word it cannot cover or longer than 100 characters).
Special tokens are never split. The independent reference our tokenizer is checked against.

Reads JSON lines {"text": ...} on stdin, writes JSON lines of token ids, [CLS] ... [SEP]."""
import argparse
import json
import re
import sys
import unicodedata

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def is_whitespace(c):
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def is_control(c):
    return c not in "\t\n\r" and unicodedata.category(c).startswith("C")


def is_punctuation(c):
    cp = ord(c)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def is_chinese(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF or 0x2A700 <= cp <= 0x2B73F
            or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_tokenize(text, lower, strip_accents):
    text = "".join(" " if is_whitespace(c) else c for c in text if ord(c) not in (0, 0xFFFD) and not is_control(c))
    text = "".join(f" {c} " if is_chinese(ord(c)) else c for c in text)
    text = unicodedata.normalize("NFC", text)
    out = []
    for token in text.split():
        if token in SPECIALS:
            out.append(token)
            continue
        if lower:
            token = token.lower()
        if strip_accents:
            token = "".join(c for c in unicodedata.normalize("NFD", token) if unicodedata.category(c) != "Mn")
        word = []
        for c in token:
            if is_punctuation(c):
                if word:
                    out.append("".join(word))
                    word = []
                out.append(c)
            else:
                word.append(c)
        if word:
            out.append("".join(word))
    return [t for t in " ".join(out).split()]


def wordpiece(token, vocab):
    if token in SPECIALS:
        return [token]
    if len(token) > 100:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(token):
        end, piece = len(token), None
        while start < end:
            sub = token[start:end] if start == 0 else "##" + token[start:end]
            if sub in vocab:
                piece = sub
                break
            end -= 1
        if piece is None:
            return ["[UNK]"]
        pieces.append(piece)
        start = end
    return pieces


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", required=True)
    ap.add_argument("--cased", action="store_true", help="do_lower_case=False (accents then kept too)")
    a = ap.parse_args()
    with open(a.vocab, encoding="utf-8") as f:
        vocab = {line.rstrip("\n"): i for i, line in enumerate(f)}
    lower = not a.cased
    for line in sys.stdin:
        text = json.loads(line)["text"]
        # Special tokens are split out first, wherever they stand, and never tokenized further.
        parts = [p for p in re.split("(" + "|".join(map(re.escape, SPECIALS)) + ")", text) if p]
        words = [w for p in parts for w in ([p] if p in SPECIALS else basic_tokenize(p, lower, strip_accents=lower))]
        tokens = ["[CLS]"] + [p for w in words for p in wordpiece(w, vocab)] + ["[SEP]"]
        print(json.dumps([vocab[t] for t in tokens]))


if __name__ == "__main__":
    main()
