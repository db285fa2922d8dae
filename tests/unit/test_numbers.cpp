// Integers as users type them: the whole text or nothing, and the parsers
// built on it (ablation lists) refuse what is left over.
#include <gtest/gtest.h>

#include "core/ablation/ablation_spec.h"
#include "core/util/error.h"
#include "core/util/numbers.h"

using namespace attnscope;

TEST(ParseInt, TheWholeTextOrNothing) {
  EXPECT_EQ(parse_int("12"), 12);
  EXPECT_EQ(parse_int("-3"), -3);
  for (const char* bad : {"", "4x", "3;2", "1.5", "x", "99999999999"}) EXPECT_FALSE(parse_int(bad)) << bad;
}

TEST(ParseInt, AblationListsRefuseLeftovers) {
  const auto list = parse_ablation_list("3.5,7.1:mean", AblationMode::Zero);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].layer, 7);
  EXPECT_EQ(list[1].mode, AblationMode::Mean);
  for (const char* bad : {"3.5x", "3;1.2", "-1.0", "3."}) EXPECT_THROW(parse_ablation_list(bad, AblationMode::Zero), Error) << bad;
}
