#pragma once
// Gather-and-Aggregate scores of one head's map on a prompt with segments
// (option lines, key-value pairs). A gather head collects each segment into
// its last token; an aggregate head reads those last tokens from the final
// position. Definitions and their reasons: docs/metrics.md.
#include <cstdint>
#include <vector>

#include "core/mixing/head_metrics.h"

namespace attnscope::mixing {

struct Segment {
  int64_t first = 0;  // first token
  int64_t last = 0;   // last token, inclusive
};

// Mean over segments of more than one token of the share of the segment's
// last row that falls on the segment's earlier tokens:
//   sum_{j = first..last-1} |M[last, j]| / sum_j |M[last, j]|.
// NaN when no segment has two tokens.
double gather_score(const MatrixRef& m, const std::vector<Segment>& segments);
// Share of the final row that falls on the segments' last tokens:
//   sum_s |M[L-1, last_s]| / sum_j |M[L-1, j]|. NaN without segments.
double aggregate_score(const MatrixRef& m, const std::vector<Segment>& segments);

}  // namespace attnscope::mixing
