// The parts of a sharded scan as merge reads them: they say what they are,
// merge puts the rows in the order of one process, and every part that is
// missing, cut, torn, doubled or of another scan is refused with a message
// that names it. The progress file comes back exactly or not at all.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/ablation/scan_parts.h"
#include "core/util/error.h"

using namespace attnscope;
using namespace attnscope::scan_parts;

namespace {
const std::string kScan = "attnscope=0.1.0 checkpoint=0123456789abcdef task=letters examples=300 seed=1 heads=all";

PartInfo info(int shard, int shards, int conditions = 5, const std::string& scan = kScan) {
  PartInfo i;
  i.scan = scan;
  i.checkpoint = "/models/demo";
  i.device = "cpu (2 cores)";
  i.shard_index = shard;
  i.shard_count = shards;
  i.conditions = conditions;
  i.conditions_digest = "00000000000000c" + std::to_string(conditions % 10);
  return i;
}

// Condition k's row names k in its head column, so order is visible.
std::string row(int k) { return "1," + std::to_string(k) + ",zero,0.5,0.25,nan"; }
const std::string kIntact = "-1,-1,none,0.75,nan,nan";

std::string part_text(int shard, int shards, int conditions = 5, const std::string& scan = kScan) {
  std::vector<std::string> rows;
  if (shard == 0) rows.push_back(kIntact);
  for (int k = shard; k < conditions; k += shards) rows.push_back(row(k));
  return part_csv(info(shard, shards, conditions, scan), rows);
}

std::string refusal(const std::vector<std::pair<std::string, std::string>>& files) {
  try {
    std::vector<Part> parts;
    for (const auto& [name, text] : files) parts.push_back(read_part(name, text));
    merge_parts(parts);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ScanParts, MergeWritesTheRowsOfOneProcessInItsOrder) {
  const auto rows = merge_parts({read_part("b", part_text(1, 2)), read_part("a", part_text(0, 2))});
  std::vector<std::string> expected = {kIntact};
  for (int k = 0; k < 5; ++k) expected.push_back(row(k));
  EXPECT_EQ(rows, expected);
  EXPECT_EQ(whole_scan_csv(rows).substr(0, std::string(kCsvHeader).size() + 1), std::string(kCsvHeader) + "\n");
  // More shards than conditions: the last shards hold nothing, and still count.
  const auto sparse = merge_parts({read_part("0", part_text(0, 3, 2)), read_part("1", part_text(1, 3, 2)),
                                   read_part("2", part_text(2, 3, 2))});
  EXPECT_EQ(sparse.size(), 3u);
}

TEST(ScanParts, IncompleteTornAndForeignPartsAreRefused) {
  const std::string p0 = part_text(0, 3), p1 = part_text(1, 3), p2 = part_text(2, 3);
  EXPECT_NE(refusal({{"p0", p0}, {"p2", p2}}).find("shard 1 of 3 is missing"), std::string::npos);
  EXPECT_NE(refusal({{"p0", p0}}).find("shards 1, 2 of 3 are missing"), std::string::npos);
  EXPECT_NE(refusal({{"p1", p1}, {"p2", p2}}).find("shard 0 of 3 is missing"), std::string::npos);
  // Cut after the header, after a row, in the middle of a row, in the completion line.
  const auto header_end = p0.find(kCsvHeader) + std::string(kCsvHeader).size() + 1;
  for (size_t cut : {header_end, header_end + kIntact.size() + 1, header_end + 5, p0.size() - 4})
    EXPECT_NE(refusal({{"p0", p0.substr(0, cut)}, {"p1", p1}, {"p2", p2}}).find("p0: is incomplete"), std::string::npos)
        << cut;
  // A torn row with the completion line still after it; a row dropped; a row added.
  std::string torn = p1;
  torn.replace(torn.find(row(1)), row(1).size(), "1,1,ze");
  EXPECT_NE(refusal({{"p0", p0}, {"p1", torn}, {"p2", p2}}).find("p1: is damaged: line 7 is not a scan row"),
            std::string::npos);
  std::string dropped = p1;
  dropped.erase(dropped.find(row(4)), row(4).size() + 1);
  EXPECT_NE(refusal({{"p0", p0}, {"p1", dropped}, {"p2", p2}}).find("does not match its 1 rows"), std::string::npos);
  const std::string short_part = part_csv(info(1, 3), {row(1)});
  EXPECT_NE(refusal({{"p0", p0}, {"p1", short_part}, {"p2", p2}}).find("holds 1 rows; shard 1 of 3 of a scan of 5 conditions holds 2"),
            std::string::npos);
  // Of another scan: other examples, another seed, another shard count.
  const std::string other = "attnscope=0.1.0 checkpoint=0123456789abcdef task=letters examples=50 seed=1 heads=all";
  EXPECT_NE(refusal({{"p0", p0}, {"p1", part_text(1, 3, 5, other)}, {"p2", p2}}).find("different scans (examples 300 vs 50)"),
            std::string::npos);
  const std::string seed = "attnscope=0.1.0 checkpoint=0123456789abcdef task=letters examples=300 seed=2 heads=all";
  EXPECT_NE(refusal({{"p0", p0}, {"p1", part_text(1, 3, 5, seed)}, {"p2", p2}}).find("(seed 1 vs 2)"), std::string::npos);
  EXPECT_NE(refusal({{"p0", p0}, {"p1", p1}, {"p2", p2}, {"old", part_text(3, 4)}}).find("old is shard 3 of 4"),
            std::string::npos);
  EXPECT_NE(refusal({{"p0", p0}, {"p1", p1}, {"copy", p1}, {"p2", p2}}).find("p1 and copy are both shard 1 of 3"),
            std::string::npos);
  // Same parameters, but the shards' intact passes chose other heads.
  PartInfo other_heads = info(1, 3);
  other_heads.conditions_digest = "ffffffffffffffff";
  EXPECT_NE(refusal({{"p0", p0}, {"p1", part_csv(other_heads, {row(1), row(4)})}, {"p2", p2}}).find("scanned different conditions"),
            std::string::npos);
  // A head index no model has (a hostile CSV) is not a scan row.
  std::string huge = p1;
  huge.replace(huge.find(row(1)), row(1).size(), "1,2147483647,zero,0.5,0.25,nan");
  EXPECT_NE(refusal({{"p0", p0}, {"p1", huge}, {"p2", p2}}).find("is not a scan row"), std::string::npos);
  EXPECT_NE(refusal({{"whole", whole_scan_csv({kIntact})}}).find("is a whole scan's CSV"), std::string::npos);
  EXPECT_NE(refusal({{"junk", "a,b\n1,2\n"}}).find("is not a part of a sharded attnscope scan"), std::string::npos);
  EXPECT_EQ(refusal({{"p2", p2}, {"p0", p0}, {"p1", p1}}), "");
}

TEST(ScanParts, ProgressComesBackExactlyOrNotAtAll) {
  ScanProgress p;
  p.conditions_digest = "0123456789abcdef";
  p.examples_done = 17;
  p.tallies = {{3, -12.345678901234567}, {0, -1e-300}, {17, 0.1 + 0.2}};
  const auto i = info(1, 4);
  std::string why;
  const auto back = read_progress(progress_text(i, p), i, &why);
  ASSERT_TRUE(back) << why;
  EXPECT_EQ(back->examples_done, 17);
  EXPECT_EQ(back->conditions_digest, p.conditions_digest);
  ASSERT_EQ(back->tallies.size(), 3u);
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(back->tallies[k].correct, p.tallies[k].correct);
    EXPECT_EQ(back->tallies[k].logprob, p.tallies[k].logprob) << "bit for bit";
  }
  EXPECT_FALSE(read_progress(progress_text(i, p), info(2, 4), &why));
  EXPECT_NE(why.find("another scan or shard"), std::string::npos);
  const std::string text = progress_text(i, p);
  EXPECT_FALSE(read_progress(text.substr(0, text.size() - 3), i, &why)) << "cut short";
  EXPECT_NE(why.find("damaged"), std::string::npos);
}
