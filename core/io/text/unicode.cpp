#include "core/io/text/unicode.h"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include <vector>

#include "core/util/error.h"

namespace attnscope::io {
namespace {

const UNormalizer2* instance(NormalForm form) {
  UErrorCode status = U_ZERO_ERROR;
  const UNormalizer2* n = nullptr;
  switch (form) {
    case NormalForm::NFC: n = unorm2_getNFCInstance(&status); break;
    case NormalForm::NFD: n = unorm2_getNFDInstance(&status); break;
    case NormalForm::NFKC: n = unorm2_getNFKCInstance(&status); break;
    case NormalForm::NFKD: n = unorm2_getNFKDInstance(&status); break;
  }
  if (U_FAILURE(status) || !n) throw Error(std::string("ICU cannot load its normalisation data: ") + u_errorName(status));
  return n;
}

void append_utf16(std::vector<UChar>& out, uint32_t cp) {
  if (cp < 0x10000) {
    out.push_back(static_cast<UChar>(cp));
  } else {
    out.push_back(static_cast<UChar>(0xD7C0 + (cp >> 10)));
    out.push_back(static_cast<UChar>(0xDC00 | (cp & 0x3FF)));
  }
}

// UTF-16 -> UTF-8 appended to `out`.
void append_from_utf16(const std::vector<UChar>& units, int32_t length, std::string& out) {
  for (int32_t i = 0; i < length;) {
    UChar32 cp = 0;
    U16_NEXT(units.data(), i, length, cp);
    append_utf8(out, static_cast<uint32_t>(cp));
  }
}

}  // namespace

AlignedText normalize(const AlignedText& in, NormalForm form) {
  const UNormalizer2* n = instance(form);
  // Runs of valid characters from one boundary to the next are normalised
  // whole; invalid bytes stay as they are (a prompt is checked UTF-8 before).
  AlignedText out;
  out.text.reserve(in.text.size());
  out.origin.reserve(in.text.size());
  std::vector<UChar> run, normal;
  size_t run_begin = 0, i = 0;
  auto flush = [&](size_t end) {
    if (run.empty()) return;
    UErrorCode status = U_ZERO_ERROR;
    if (unorm2_isNormalized(n, run.data(), static_cast<int32_t>(run.size()), &status) && U_SUCCESS(status)) {
      out.append_from(in, run_begin, end);  // already normal: keeps byte-exact origins
    } else {
      status = U_ZERO_ERROR;
      normal.resize(run.size() * 4 + 8);
      int32_t length = unorm2_normalize(n, run.data(), static_cast<int32_t>(run.size()), normal.data(),
                                        static_cast<int32_t>(normal.size()), &status);
      if (status == U_BUFFER_OVERFLOW_ERROR) {
        status = U_ZERO_ERROR;
        normal.resize(static_cast<size_t>(length));
        length = unorm2_normalize(n, run.data(), static_cast<int32_t>(run.size()), normal.data(),
                                  static_cast<int32_t>(normal.size()), &status);
      }
      if (U_FAILURE(status)) throw Error(std::string("ICU cannot normalise the text: ") + u_errorName(status));
      std::string bytes;
      append_from_utf16(normal, length, bytes);
      out.append(bytes, in.span_of(run_begin, end));
    }
    run.clear();
  };
  while (i < in.text.size()) {
    const size_t start = i;
    uint32_t cp = 0;
    if (!next_utf8(in.text, i, cp)) {
      flush(start);
      out.append_from(in, start, i);
      run_begin = i;
      continue;
    }
    if (!run.empty() && unorm2_hasBoundaryBefore(n, static_cast<UChar32>(cp))) flush(start);
    if (run.empty()) run_begin = start;
    append_utf16(run, cp);
  }
  flush(in.text.size());
  return out;
}

void append_lowercase(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    return;
  }
  std::vector<UChar> one, lower(8);
  append_utf16(one, cp);
  UErrorCode status = U_ZERO_ERROR;
  // The root locale: no Turkish or Lithuanian tailoring, as Rust.
  const int32_t length = u_strToLower(lower.data(), static_cast<int32_t>(lower.size()), one.data(),
                                      static_cast<int32_t>(one.size()), "", &status);
  if (U_FAILURE(status)) {
    append_utf8(out, cp);
    return;
  }
  append_from_utf16(lower, length, out);
}

bool is_white_space(uint32_t cp) { return u_isUWhiteSpace(static_cast<UChar32>(cp)); }

bool is_alphanumeric(uint32_t cp) {
  const auto c = static_cast<UChar32>(cp);
  if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC)) return true;
  const int8_t type = u_charType(c);
  return type == U_DECIMAL_DIGIT_NUMBER || type == U_LETTER_NUMBER || type == U_OTHER_NUMBER;
}

bool is_nonspacing_mark(uint32_t cp) { return u_charType(static_cast<UChar32>(cp)) == U_NON_SPACING_MARK; }

bool is_punctuation(uint32_t cp) {
  if (cp < 0x80) return (cp >= 0x21 && cp <= 0x2F) || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60) ||
                        (cp >= 0x7B && cp <= 0x7E);
  return u_ispunct(static_cast<UChar32>(cp));
}

bool is_word_char(uint32_t cp) {
  const auto c = static_cast<UChar32>(cp);
  if (u_hasBinaryProperty(c, UCHAR_ALPHABETIC) || u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL)) return true;
  const int8_t type = u_charType(c);
  return type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK || type == U_COMBINING_SPACING_MARK ||
         type == U_DECIMAL_DIGIT_NUMBER || type == U_CONNECTOR_PUNCTUATION;
}

}  // namespace attnscope::io
