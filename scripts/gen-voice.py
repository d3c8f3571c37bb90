#!/usr/bin/env python3
"""Generates the display board's fallback voice: one short clip per word the
board can say, so MPP can speak a call on kiosk and TV browsers that have no
Indonesian speech-synthesis voice.

Source: espeak-ng (Debian package `espeak-ng`), voices `id` and `en`.
Output, per language, in crates/mpp/voice/:
  <lang>.pcm  raw mono unsigned 8-bit PCM at 11025 Hz, clips back to back
  <lang>.idx  one line per word: "<word> <offset> <length>" (bytes)
Run from the repository root: python3 scripts/gen-voice.py
"""
import audioop  # deprecated in 3.11, still shipped; fine for a dev script
import io
import subprocess
import wave

RATE = 11025

LETTERS = list("abcdefghijklmnopqrstuvwxyz")
WORDS = {
    "id": ["nomor", "antrian", "silakan", "menuju", "loket", "nol", "satu", "dua", "tiga", "empat", "lima",
           "enam", "tujuh", "delapan", "sembilan", "sepuluh", "sebelas", "belas", "puluh", "seratus", "ratus",
           "seribu", "ribu", "juta", "miliar", "triliun"],
    "en": ["ticket", "number", "please", "go", "to", "counter", "zero", "one", "two", "three", "four", "five",
           "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen",
           "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty", "fifty", "sixty",
           "seventy", "eighty", "ninety", "hundred", "thousand", "million", "billion", "trillion"],
}
# How each letter is spoken when it stands alone, as the board says "A-012".
LETTER_TEXT = {
    "id": {"a": "a", "b": "be", "c": "ce", "d": "de", "e": "e", "f": "ef", "g": "ge", "h": "ha", "i": "i",
           "j": "je", "k": "ka", "l": "el", "m": "em", "n": "en", "o": "o", "p": "pe", "q": "ki", "r": "er",
           "s": "es", "t": "te", "u": "u", "v": "fe", "w": "we", "x": "eks", "y": "ye", "z": "zet"},
    "en": {c: c for c in LETTERS},
}


def clip(lang, text):
    wav = subprocess.run(["espeak-ng", "-v", lang, "-s", "140", "--stdout", text], check=True,
                         capture_output=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        frames, rate, width = w.readframes(w.getnframes()), w.getframerate(), w.getsampwidth()
    frames, _ = audioop.ratecv(frames, width, 1, rate, RATE, None)
    # Trim silence at both ends so words join naturally.
    step = width * 64
    chunks = [frames[i:i + step] for i in range(0, len(frames), step)]
    loud = [i for i, c in enumerate(chunks) if audioop.rms(c, width) > 300]
    if loud:
        frames = b"".join(chunks[max(loud[0] - 1, 0):loud[-1] + 2])
    return audioop.bias(audioop.lin2lin(frames, width, 1), 1, 128)


for lang, words in WORDS.items():
    pcm, index = bytearray(), []
    for word in words + LETTERS:
        text = LETTER_TEXT[lang].get(word, word) if len(word) == 1 else word
        data = clip(lang, text)
        index.append(f"{word} {len(pcm)} {len(data)}")
        pcm += data
    open(f"crates/mpp/voice/{lang}.pcm", "wb").write(pcm)
    open(f"crates/mpp/voice/{lang}.idx", "w").write("\n".join(index) + "\n")
    print(lang, len(index), "clips,", len(pcm), "bytes")
