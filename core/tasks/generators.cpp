// Text task generators. Formats (the demo models are trained on them):
//   letters     MMLU-style multiple choice whose answer is in the context:
//               "Question: Which option is apple?\nA. river\nB. green apple\n...Answer:" -> " B"
//               Each option's word comes after 0-2 filler words, as MMLU's
//               options differ in length: with fixed-length lines a model can
//               read the answer at fixed offsets instead of finding the line
//               by content, the retrieval the task is there to probe. The
//               word ends its line, so the line's segment ends on it.
//   mqar        multi-query associative recall (Zoology): key-value pairs,
//               then queries, each followed by its value (every value scored)
//               "Pairs: apple 3 river 7 ... Queries: river 7 apple 3"
//   dictionary  the Gather-and-Aggregate probe: "Memorize the following
//               dictionary:\napple:3\n...\nThe value of the key 'river' is" -> " 7"
//   phonebook   two-word names (first names shared between entries, so both
//               words matter) and one-digit numbers:
//               "Phone book:\ntiger river 4\ntiger stone 9\n...\nCall tiger stone:" -> " 9"
//   induction   a random word sequence repeated; every repeated word scored
// Option lines, pairs and entries are segments (TaskPiece::segment), each
// ending at its last content token: the newline after a line is a separator,
// so a segment's end is the token that holds the line's content (the option
// word, the value), where a gather head collects it. Pieces split where the
// tokenizer's pre-split also cuts (before a space or a newline, after a
// newline), so the pieces' tokens are the prompt's tokens.
#include <algorithm>
#include <random>

#include "core/tasks/task.h"
#include "core/tasks/word_list.h"
#include "core/util/error.h"

namespace attnscope::tasks {
namespace {

using Rng = std::mt19937;

std::vector<std::string> pick_words(Rng& rng, int n) {
  const auto& all = task_words();
  if (n > static_cast<int>(all.size()))
    throw Error("the task needs " + std::to_string(n) + " distinct words; the list has " + std::to_string(all.size()));
  std::vector<size_t> idx(all.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::shuffle(idx.begin(), idx.end(), rng);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(all[idx[i]]);
  return out;
}

// " 0" .. " 9": the candidates of every task whose answers are one digit.
std::vector<std::string> digit_choices() {
  std::vector<std::string> out;
  for (int v = 0; v <= 9; ++v) out.push_back(" " + std::to_string(v));
  return out;
}

int uniform(Rng& rng, int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

TaskExample letters(Rng& rng, int options) {
  const auto words = pick_words(rng, options * 3);
  const int right = uniform(rng, 0, options - 1);
  TaskExample e;
  e.pieces.push_back({"Question: Which option is " + words[right] + "?\n"});
  for (int i = 0; i < options; ++i) {
    const std::string letter(1, static_cast<char>('A' + i));
    std::string line = letter + ".";
    const int fillers = uniform(rng, 0, 2);
    for (int k = 0; k < fillers; ++k) line += " " + words[options + 2 * i + k];
    e.pieces.push_back({line + " " + words[i], false, true});
    e.pieces.push_back({"\n"});
    e.choices.push_back(" " + letter);
  }
  e.pieces.push_back({"Answer:"});
  e.pieces.push_back({" " + std::string(1, static_cast<char>('A' + right)), true});
  return e;
}

TaskExample mqar(Rng& rng, int pairs) {
  const auto keys = pick_words(rng, pairs);
  std::vector<int> values(pairs);
  for (int& v : values) v = uniform(rng, 0, 9);
  TaskExample e;
  e.pieces.push_back({"Pairs:", false});
  for (int i = 0; i < pairs; ++i) e.pieces.push_back({" " + keys[i] + " " + std::to_string(values[i]), false, true});
  e.pieces.push_back({". Queries:", false});
  std::vector<int> order(pairs);
  for (int i = 0; i < pairs; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (int q : order) {
    e.pieces.push_back({" " + keys[q], false});
    e.pieces.push_back({" " + std::to_string(values[q]), true});
  }
  e.choices = digit_choices();
  return e;
}

TaskExample dictionary(Rng& rng, int pairs) {
  const auto keys = pick_words(rng, pairs);
  TaskExample e;
  e.pieces.push_back({"Memorize the following dictionary:\n"});
  std::vector<std::string> values;
  for (int i = 0; i < pairs; ++i) {
    values.push_back(std::to_string(uniform(rng, 0, 9)));
    e.pieces.push_back({keys[i] + ":" + values.back(), false, true});
    e.pieces.push_back({"\n"});
  }
  const int q = uniform(rng, 0, pairs - 1);
  e.pieces.push_back({"The value of the key '" + keys[q] + "' is"});
  e.pieces.push_back({" " + values[q], true});
  e.choices = digit_choices();
  return e;
}

TaskExample phonebook(Rng& rng, int entries) {
  // About two entries per first name: a lookup must read both words.
  const int firsts = std::max(1, (entries + 1) / 2);
  const auto words = pick_words(rng, firsts + entries);
  std::vector<std::pair<int, int>> names;  // (first, last) indices into words
  for (int i = 0; i < entries; ++i) names.emplace_back(i % firsts, firsts + i);
  std::shuffle(names.begin(), names.end(), rng);
  TaskExample e;
  e.pieces.push_back({"Phone book:\n"});
  std::vector<int> numbers;
  for (const auto& [first, last] : names) {
    numbers.push_back(uniform(rng, 0, 9));
    e.pieces.push_back({words[first] + " " + words[last] + " " + std::to_string(numbers.back()), false, true});
    e.pieces.push_back({"\n"});
  }
  const int q = uniform(rng, 0, entries - 1);
  e.pieces.push_back({"Call " + words[names[q].first] + " " + words[names[q].second] + ":"});
  e.pieces.push_back({" " + std::to_string(numbers[q]), true});
  e.choices = digit_choices();
  return e;
}

TaskExample induction(Rng& rng, int length) {
  const auto words = pick_words(rng, length);
  TaskExample e;
  for (const auto& w : words) e.pieces.push_back({" " + w, false});
  for (const auto& w : words) e.pieces.push_back({" " + w, true});
  for (const auto& w : words) e.choices.push_back(" " + w);
  return e;
}

}  // namespace

const std::vector<std::string>& task_names() {
  static const std::vector<std::string> names = {"letters", "mqar", "dictionary", "phonebook", "induction"};
  return names;
}

std::vector<TaskExample> generate(const TaskSpec& spec, int count, unsigned seed) {
  Rng rng(seed);
  std::vector<TaskExample> out;
  for (int i = 0; i < count; ++i) {
    if (spec.name == "letters") out.push_back(letters(rng, spec.pairs ? spec.pairs : 4));
    else if (spec.name == "mqar") out.push_back(mqar(rng, spec.pairs ? spec.pairs : 6));
    else if (spec.name == "dictionary") out.push_back(dictionary(rng, spec.pairs ? spec.pairs : 10));
    else if (spec.name == "phonebook") out.push_back(phonebook(rng, spec.pairs ? spec.pairs : 8));
    else if (spec.name == "induction") out.push_back(induction(rng, spec.pairs ? spec.pairs : 8));
    else {
      std::string known;
      for (const auto& n : task_names()) known += (known.empty() ? "" : ", ") + n;
      throw Error("unknown task '" + spec.name + "' (known: " + known + ")");
    }
  }
  return out;
}

}  // namespace attnscope::tasks
