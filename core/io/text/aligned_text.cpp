#include "core/io/text/aligned_text.h"

#include <algorithm>

namespace attnscope::io {

AlignedText AlignedText::original(std::string_view text, size_t offset) {
  AlignedText out;
  out.text.assign(text);
  out.origin.resize(text.size());
  for (size_t i = 0; i < text.size(); ++i)
    out.origin[i] = {static_cast<uint32_t>(offset + i), static_cast<uint32_t>(offset + i + 1)};
  return out;
}

AlignedText AlignedText::slice(size_t begin, size_t end) const {
  AlignedText out;
  out.append_from(*this, begin, end);
  return out;
}

void AlignedText::append(std::string_view bytes, Span from) {
  text.append(bytes);
  origin.insert(origin.end(), bytes.size(), from);
}

void AlignedText::append_from(const AlignedText& other, size_t begin, size_t end) {
  end = std::min(end, other.text.size());
  if (begin >= end) return;
  text.append(other.text, begin, end - begin);
  origin.insert(origin.end(), other.origin.begin() + static_cast<std::ptrdiff_t>(begin),
                other.origin.begin() + static_cast<std::ptrdiff_t>(end));
}

Span AlignedText::point_before(size_t at) const {
  if (origin.empty()) return {};
  if (at < origin.size()) return {origin[at].begin, origin[at].begin};
  return {origin.back().end, origin.back().end};
}

Span AlignedText::span_of(size_t begin, size_t end) const {
  end = std::min(end, origin.size());
  if (begin >= end) return point_before(begin);
  Span s{origin[begin].begin, origin[begin].end};
  for (size_t i = begin + 1; i < end; ++i) {
    s.begin = std::min(s.begin, origin[i].begin);
    s.end = std::max(s.end, origin[i].end);
  }
  return s;
}

}  // namespace attnscope::io
