#pragma once
// Test texts for the tokenizer peer tests: fixed strings that stress the
// pre-tokenizer regexes (contractions, \s+(?!\S), letter/number/other classes
// across scripts) and the merge loop, and seeded random mixes of words,
// scripts, emoji, whitespace and code.
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/io/text/utf8.h"

namespace attnscope::testing {

inline std::string utf8_of(uint32_t cp) {
  std::string out;
  attnscope::io::append_utf8(out, cp);
  return out;
}

inline std::vector<std::string> regex_stress_strings() {
  return {
      "Hello world", "Hello, world!", " leading space", "trailing space ", "   ", "\t", "\n", "\r\n",
      "don't", "DON'T", "I'm here, you're there, we've been, they'll go, he'd say, it's", "I'M", "WE'LL",
      "'s's's", "' s", "''", "it’s curly", "12345", "3.14159", "1,000,000", "２０２４", "٣٤٥", "Ⅻ ½ ²",
      "a  b", "a   b", "a\t\tb", "line1\nline2\n\nline4", "x \n y", "crlf\r\n\r\nend", "  \n  \n",
      "naïve café résumé Straße", "Ελληνικά русский עברית العربية हिन्दी ไทย", "日本語 中文 한국어",
      "👨‍👩‍👧‍👦 family", "🏳️‍🌈", "👍🏽👍🏿", "🇫🇷🇩🇪", "e\u0301 combining", "\u00a0nbsp\u00a0", "ideographic\u3000space",
      "int main() {\n    return 0;\n}\n", "def f(x):\n\treturn x ** 2\n", "if (a != b && c <= d) { x->y(); }",
      "pneumonoultramicroscopicsilicovolcanoconiosis", "Donaudampfschifffahrtsgesellschaftskapitän",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ",,,,,,,,,,", "!!!???...",
      // U+180E (Mongolian vowel separator) is not White_Space since Unicode 6.3;
      // PCRE2's \s still counts it (its \h list), so these check our workaround.
      "x \u180e!", "a\u180e\u180eb", "\u180e\u180e  \u180e", "end \u180e",
      "<|endoftext|>", "", "a"};
}

// Words, symbols and whitespace that random texts are made of.
inline std::vector<std::string> word_pool() {
  return {
      "the", "The", "THE", "tokenizer", "naïve", "café", "Ünïcödé", "Straße", "façade", "Ελληνικά", "русский",
      "עברית", "العربية", "हिन्दी", "ไทย", "日本語", "中文字符", "한국어", "東京タワー", "😀", "👍🏽",
      "👨‍👩‍👧‍👦", "🏳️‍🌈", "👩🏻‍💻", "🇫🇷", "❤️", "🤖", "0", "42", "3.14", "1,000", "２０", "٣٤", "Ⅻ", "½",
      "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'VE", "'M", "'LL", "'D", "n't", "’s",
      " ", "  ", "   ", "    ", "\t", "\t\t", "\n", "\n\n", "\r\n", " \n ", "\u00a0", "\u3000", "\u2009", "\v",
      "\f", ".", ",", "!", "?", "...", "—", "–", "«", "»", "“", "”", "(", ")", "[", "]", "{", "}", "#", "@",
      "$", "%", "^", "&", "*", "~", "`", "|", "\\", "/", "<", ">", ";", ":", "--", "==", "!=", "->", "::",
      "int main() {\n    return 0;\n}", "def f(x):\n\treturn x**2", "for (i = 0; i < n; ++i)",
      "std::vector<int> v;", "#include <cstdio>", "  if x != None:", "console.log(`${a}`);",
      "SELECT * FROM t WHERE id = 1;", "Supercalifragilisticexpialidocious", "antidisestablishmentarianism",
      "\u180e", "e\u0301", "x"};
}

// `count` texts of 1-12 parts, each a word of `pool` or a run of random
// characters from Unicode 14 blocks (so every engine's tables agree).
inline std::vector<std::string> random_texts(uint32_t seed, int count, const std::vector<std::string>& pool) {
  const std::vector<std::pair<uint32_t, uint32_t>> ranges = {
      {0x20, 0x7E},     {0xA1, 0xFF},     {0x100, 0x17F},   {0x391, 0x3C9},   {0x410, 0x44F},
      {0x300, 0x36F},   {0x4E00, 0x9FFF}, {0x3041, 0x3096}, {0xAC00, 0xD7A3}, {0x1F600, 0x1F64F},
      {0x2200, 0x22FF}, {0x2500, 0x257F}, {0x660, 0x669},   {0x2160, 0x2188}, {0x9, 0xD}};
  std::mt19937 rng(seed);  // raw engine output only: the same strings on every platform
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  std::vector<std::string> out;
  for (int k = 0; k < count; ++k) {
    std::string s;
    const size_t parts = 1 + pick(12);
    for (size_t p = 0; p < parts; ++p) {
      if (pick(4) == 0) {
        const auto& [lo, hi] = ranges[pick(ranges.size())];
        for (size_t c = 1 + pick(5); c > 0; --c) s += utf8_of(lo + static_cast<uint32_t>(pick(hi - lo + 1)));
      } else {
        s += pool[pick(pool.size())];
      }
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace attnscope::testing
