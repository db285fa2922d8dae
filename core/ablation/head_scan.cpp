#include "core/ablation/head_scan.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <sstream>

#include "core/mixing/ga_scores.h"
#include "core/mixing/head_metrics.h"
#include "core/models/blocks/attention_block_buffers.h"
#include "core/models/forward.h"
#include "core/tasks/scoring.h"
#include "core/util/content_hash.h"
#include "core/util/error.h"
#include "core/util/numbers.h"

namespace attnscope {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Residual streams of the intact runs are kept for resuming up to this size;
// past it each example's intact run is repeated instead.
constexpr double kResidualBudgetBytes = 1024.0 * 1024 * 1024;

at::Tensor ids_tensor(const std::vector<int64_t>& ids) {
  return at::tensor(ids, at::TensorOptions().dtype(at::kLong));
}

using Tally = ConditionTally;
void add(Tally& t, const tasks::ScoredExample& s) {
  t.correct += s.correct;
  t.logprob += s.answer_logprob;
}

// Writes are measured on this many examples at most, and only while the
// model has at most kMaxHeadsForWrites heads (one extra layer call per head
// and example; Mamba-1's thousands of channels would cost a full scan).
constexpr int kWriteExamples = 8;
constexpr int kMaxHeadsForWrites = 4096;

// Adds, per head, how much zeroing it changes its layer's output at the final
// position (relative to that output) on one example, from the residuals
// entering each layer of its intact run.
void add_final_token_writes(const Model& model, const std::vector<MixerRow>& rows, const at::Tensor& ids,
                            const std::vector<at::Tensor>& residuals, std::vector<std::vector<double>>& sum,
                            const ScanOptions& o) {
  at::NoGradGuard no_grad;
  const blocks::ReleasedAfterForward attention_buffers_released;  // layers run here, not through run_forward
  const auto& info = model.info();
  // Some layers read the embedded prompt besides the residual (Zamba2's shared block).
  const at::Tensor embedded = model.embed(ids.unsqueeze(0).to(model.device()));
  for (int l = 0; l < info.num_layers; ++l) {
    if (info.layers[l].mixers.empty()) continue;
    if (o.cancel && o.cancel->load()) throw Cancelled();
    LayerCall intact_call(info.layers[l]);
    intact_call.token_embeddings = embedded;
    const at::Tensor intact = model.layer(l, residuals[l], intact_call).select(1, -1).to(at::kFloat);
    const double scale = std::max(intact.norm().item<double>(), 1e-30);
    for (size_t m = 0; m < info.layers[l].mixers.size(); ++m) {
      const int r = row_of(rows, l, static_cast<int>(m));
      for (int h = 0; h < info.layers[l].mixers[m].heads; ++h) {
        LayerCall call(info.layers[l]);
        call.token_embeddings = embedded;
        call.mixers[m].ablate = {{h, AblationMode::Zero}};
        const at::Tensor zeroed = model.layer(l, residuals[l], call).select(1, -1).to(at::kFloat);
        sum[r][h] += (intact - zeroed).norm().item<double>() / scale;
      }
    }
  }
}

// Intact runs: accuracy, per-head G&A scores averaged over examples, residuals.
struct IntactPass {
  Tally tally;
  HeadScores scores;
  std::vector<std::vector<at::Tensor>> residuals;  // [example][layer], when kept
};

IntactPass run_intact(const Model& model, const std::vector<tasks::PreparedExample>& prepared, bool keep_residuals,
                      const ScanOptions& o) {
  const auto rows = mixer_rows(model.info());
  IntactPass pass;
  std::vector<std::vector<double>> g_sum, a_sum, s_sum, w_sum;
  std::vector<std::vector<int>> g_n, a_n, s_n;
  int total_heads = 0;
  for (const auto& row : rows) {
    for (auto* v : {&g_sum, &a_sum, &s_sum, &w_sum}) v->emplace_back(row.info.heads, 0.0);
    for (auto* v : {&g_n, &a_n, &s_n}) v->emplace_back(row.info.heads, 0);
    total_heads += row.info.heads;
  }
  const size_t write_examples =
      total_heads > kMaxHeadsForWrites ? 0 : std::min<size_t>(kWriteExamples, prepared.size());
  for (size_t e = 0; e < prepared.size(); ++e) {
    if (o.cancel && o.cancel->load()) throw Cancelled();
    const auto& ex = prepared[e];
    const auto& segments = ex.segments;
    ForwardOptions f;
    f.keep_residuals = keep_residuals || e < write_examples;
    f.cancel = o.cancel;
    if (!segments.empty()) {
      f.capture_layer = [](int) { return true; };
      f.on_mixing = [&](int layer, int mixer, const at::Tensor& maps) {
        const int r = row_of(rows, layer, mixer);
        const int64_t L = maps.size(-1);
        for (int64_t h = 0; h < maps.size(0) && h < static_cast<int64_t>(g_sum[r].size()); ++h) {
          const mixing::MatrixRef m{maps[h].data_ptr<float>(), L};
          const double g = mixing::gather_score(m, segments), a = mixing::aggregate_score(m, segments);
          if (!std::isnan(g)) g_sum[r][h] += g, ++g_n[r][h];
          if (!std::isnan(a)) a_sum[r][h] += a, ++a_n[r][h];
          s_sum[r][h] += mixing::transition_sharpness(m), ++s_n[r][h];
        }
      };
    }
    auto result = run_forward(model, ids_tensor(ex.ids), f);
    add(pass.tally, tasks::score_logits(result.logits[-1], ex.choices, ex.answer));
    if (e < write_examples) add_final_token_writes(model, rows, ids_tensor(ex.ids), result.residuals, w_sum, o);
    if (keep_residuals) pass.residuals.push_back(std::move(result.residuals));
  }
  for (size_t l = 0; l < g_sum.size(); ++l) {
    pass.scores.gather.emplace_back();
    pass.scores.aggregate.emplace_back();
    pass.scores.sharpness.emplace_back();
    for (size_t h = 0; h < g_sum[l].size(); ++h) {
      pass.scores.sharpness[l].push_back(s_n[l][h] ? s_sum[l][h] / s_n[l][h] : kNaN);
      pass.scores.gather[l].push_back(g_n[l][h] ? g_sum[l][h] / g_n[l][h] : kNaN);
      pass.scores.aggregate[l].push_back(a_n[l][h] ? a_sum[l][h] / a_n[l][h] : kNaN);
    }
  }
  if (write_examples > 0) {
    for (auto& layer : w_sum)
      for (double& v : layer) v /= static_cast<double>(write_examples);
    pass.scores.writes = std::move(w_sum);
  }
  return pass;
}

using Head = std::pair<int, int>;

// A condition ablating one head (row r, head h) in `mode`.
ScanCondition one_head(const std::vector<MixerRow>& rows, int r, int h, AblationMode mode, const std::string& name) {
  return {r, h, name, {{rows[r].layer, h, mode, rows[r].info.name}}, rows[r].label};
}

std::vector<ScanCondition> conditions_for(const Model& model, const HeadScores& scores, const ScanOptions& o) {
  const auto rows = mixer_rows(model.info());
  const auto ranked = heads_by_aggregate(scores);
  std::vector<Head> chosen = ranked;
  if (o.top_heads > 0) chosen.resize(std::min<size_t>(ranked.size(), static_cast<size_t>(o.top_heads)));
  if (o.top_heads == 0) std::sort(chosen.begin(), chosen.end());  // every head, in row order

  std::vector<ScanCondition> out;
  for (const auto& [r, h] : chosen)
    for (AblationMode mode : o.modes) out.push_back(one_head(rows, r, h, mode, ablation_mode_name(mode)));

  const auto& layers = model.info().layers;
  for (const auto& keep : o.keep) {
    if (keep.layer < 0 || keep.layer >= static_cast<int>(layers.size()))
      throw Error("--keep: the model has no layer " + std::to_string(keep.layer));
    const int m = layers[keep.layer].mixer_index(keep.mixer);
    if (m < 0)
      throw Error("--keep: layer " + std::to_string(keep.layer) +
                  (keep.mixer.empty() ? " has several mixers (or none): name one, e.g. " + std::to_string(keep.layer) + ".attn:0"
                                      : " has no mixer '" + keep.mixer + "'"));
    const int r = row_of(rows, keep.layer, m), heads = rows[r].info.heads;
    std::set<int> kept(keep.heads.begin(), keep.heads.end());
    std::string name = "keep:";
    for (int h : kept) {
      if (h < 0 || h >= heads) throw Error("--keep: layer " + std::to_string(keep.layer) + " has no head " + std::to_string(h));
      name += (name.size() > 5 ? "+" : "") + std::to_string(h);
    }
    ScanCondition c{r, -1, name, {}, rows[r].label};
    for (int h = 0; h < heads; ++h)
      if (!kept.count(h)) c.ablations.push_back({keep.layer, h, AblationMode::Zero, rows[r].info.name});
    out.push_back(c);
  }

  // Controls: heads outside the top set; when every head is scanned, heads
  // other than the top aggregate head and the G&A heads.
  const size_t excluded = o.top_heads > 0 ? chosen.size() : std::min<size_t>(1, ranked.size());
  const auto not_controls = o.top_heads > 0 ? std::set<Head>{} : ga_heads(scores);
  std::vector<Head> others;
  for (size_t i = excluded; i < ranked.size(); ++i)
    if (!not_controls.count(ranked[i])) others.push_back(ranked[i]);
  // Drawn from the heads in row order, so that the draws depend on the seed
  // and on which heads are excluded, not on how the others happen to rank.
  std::sort(others.begin(), others.end());
  std::mt19937 rng(o.seed);
  std::shuffle(others.begin(), others.end(), rng);
  for (int i = 0; i < o.random_controls && i < static_cast<int>(others.size()); ++i)
    out.push_back(one_head(rows, others[i].first, others[i].second, AblationMode::Zero, "random"));
  return out;
}

}  // namespace

double intact_accuracy(const ScanResult& result) {
  for (const auto& r : result.rows)
    if (r.condition.mode == "none") return r.accuracy;
  return std::numeric_limits<double>::quiet_NaN();
}

MeanDrop mean_drop(const ScanResult& result, const std::function<bool(const ScanRow&)>& selected) {
  const double intact = intact_accuracy(result);
  MeanDrop m;
  for (const auto& r : result.rows)
    if (selected(r)) m.drop += intact - r.accuracy, ++m.rows;
  if (m.rows) m.drop /= m.rows;
  return m;
}

namespace {
// Writes below this are silent; 0 when nothing was measured (no head is silent).
double silent_below(const HeadScores& s) {
  double strongest = 0;
  for (const auto& row : s.writes)
    for (double v : row)
      if (!std::isnan(v)) strongest = std::max(strongest, v);
  return kSilentWriteShare * strongest;
}

bool is_silent_below(const HeadScores& s, int row, int head, double threshold) {
  return row >= 0 && head >= 0 && static_cast<size_t>(row) < s.writes.size() &&
         static_cast<size_t>(head) < s.writes[row].size() && s.writes[row][head] < threshold;
}

bool is_ga_head_below(const HeadScores& s, int row, int head, double silent_threshold) {
  auto at_least = [&](const std::vector<std::vector<double>>& table) {
    return static_cast<size_t>(row) < table.size() && static_cast<size_t>(head) < table[row].size() &&
           table[row][head] >= kGaHeadScore;  // false for NaN
  };
  return row >= 0 && head >= 0 && (at_least(s.gather) || at_least(s.aggregate)) &&
         !is_silent_below(s, row, head, silent_threshold);
}
}  // namespace

bool is_silent(const HeadScores& s, int row, int head) { return is_silent_below(s, row, head, silent_below(s)); }

int silent_head_count(const HeadScores& s) {
  const double threshold = silent_below(s);
  int n = 0;
  for (size_t l = 0; l < s.writes.size(); ++l)
    for (size_t h = 0; h < s.writes[l].size(); ++h)
      n += is_silent_below(s, static_cast<int>(l), static_cast<int>(h), threshold);
  return n;
}

bool is_ga_head(const HeadScores& s, int row, int head) { return is_ga_head_below(s, row, head, silent_below(s)); }

std::set<Head> ga_heads(const HeadScores& s) {
  const double threshold = silent_below(s);
  std::set<Head> out;
  for (const auto* table : {&s.gather, &s.aggregate})
    for (size_t l = 0; l < table->size(); ++l)
      for (size_t h = 0; h < (*table)[l].size(); ++h)
        if (is_ga_head_below(s, static_cast<int>(l), static_cast<int>(h), threshold)) out.emplace(l, h);
  return out;
}

std::vector<Head> heads_by_aggregate(const HeadScores& s) {
  std::vector<Head> all;
  for (size_t l = 0; l < s.aggregate.size(); ++l)
    for (size_t h = 0; h < s.aggregate[l].size(); ++h) all.emplace_back(static_cast<int>(l), static_cast<int>(h));
  // Scores lie in [0, 1]: silent heads rank below every writing head, NaN below all.
  const double threshold = silent_below(s);
  auto key = [&](const Head& x) {
    const double v = s.aggregate[x.first][x.second];
    if (std::isnan(v)) return -3.0;
    return is_silent_below(s, x.first, x.second, threshold) ? v - 2.0 : v;
  };
  std::stable_sort(all.begin(), all.end(), [&](const Head& a, const Head& b) { return key(a) > key(b); });
  return all;
}

KeepSet parse_keep_set(const std::string& option, const std::string& text) {
  const Error malformed(option + " " + text + ": expected LAYER:HEAD+HEAD, e.g. 1:0+3 (or 1.attn:0+3)");
  const auto colon = text.find(':');
  if (colon == std::string::npos) throw malformed;
  // Whole numbers only: "1+3;2" is a typo, not heads 1, 3 and 2.
  auto index = [&](const std::string& s) {
    const auto v = parse_int(s);
    if (!v || *v < 0) throw malformed;
    return *v;
  };
  KeepSet k;
  std::string layer = text.substr(0, colon);
  if (const auto dot = layer.find('.'); dot != std::string::npos) {
    k.mixer = layer.substr(dot + 1);
    if (k.mixer.empty() || k.mixer.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) throw malformed;
    layer = layer.substr(0, dot);
  }
  k.layer = index(layer);
  std::stringstream heads(text.substr(colon + 1));
  std::string h;
  while (std::getline(heads, h, '+')) k.heads.push_back(index(h));
  if (k.heads.empty()) throw Error(option + " " + text + ": name at least one head to keep");
  return k;
}

std::vector<KeepSet> parse_keep_sets(const std::string& option, const std::string& list) {
  std::vector<KeepSet> out;
  std::stringstream s(list);
  std::string item;
  while (std::getline(s, item, ',')) out.push_back(parse_keep_set(option, item));
  return out;
}

int planned_condition_count(const Model& model, const ScanOptions& o) {
  int heads = 0;
  for (const auto& row : mixer_rows(model.info())) heads += row.info.heads;
  const int chosen = o.top_heads > 0 ? std::min(heads, o.top_heads) : heads;
  // Controls come from the heads outside the chosen set (at least the top head is excluded).
  const int control_pool = o.top_heads > 0 ? heads - chosen : std::max(0, heads - 1);
  return chosen * static_cast<int>(o.modes.size()) + static_cast<int>(o.keep.size()) +
         std::min(o.random_controls, control_pool);
}

int shard_condition_count(int total, int shard_index, int shard_count) {
  return total > shard_index ? (total - shard_index + shard_count - 1) / shard_count : 0;
}

std::pair<int, int> parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash != std::string::npos) {
    const auto index = parse_int(text.substr(0, slash));
    const auto count = parse_int(text.substr(slash + 1));
    if (index && count && *count >= 1 && *index >= 0 && *index < *count) return {*index, *count};
  }
  throw Error("--shard " + text + ": expected i/N with 0 <= i < N, e.g. 0/4");
}

ScanResult run_head_scan(const Model& model, const io::Tokenizer& tokenizer,
                         const std::vector<tasks::TaskExample>& examples, const ScanOptions& o) {
  if (examples.empty()) throw Error("a scan needs at least one example");
  if (o.shard_count < 1 || o.shard_index < 0 || o.shard_index >= o.shard_count) throw Error("invalid shard");
  std::vector<tasks::PreparedExample> prepared;
  double residual_bytes = 0;
  const auto& info = model.info();
  for (const auto& e : examples) {
    prepared.push_back(tasks::prepare_example(tokenizer, e));
    residual_bytes += double(prepared.back().ids.size()) * info.hidden_size * info.num_layers * 4;
  }
  const bool keep = o.resume_from_residuals && residual_bytes <= kResidualBudgetBytes;

  IntactPass intact = run_intact(model, prepared, keep, o);
  ScanResult result;
  result.examples = static_cast<int>(examples.size());
  result.scores = intact.scores;
  const double n = static_cast<double>(examples.size());
  if (o.shard_index == 0)
    result.rows.push_back({{}, intact.tally.correct / n, intact.tally.logprob / n, kNaN, kNaN});

  std::vector<ScanCondition> mine;
  const auto all = conditions_for(model, intact.scores, o);
  result.total_conditions = static_cast<int>(all.size());
  ContentHash digest;
  for (const auto& c : all) digest.add(c.label + "," + std::to_string(c.head) + "," + c.mode);
  result.conditions_digest = digest.hex();
  for (size_t k = 0; k < all.size(); ++k)
    if (static_cast<int>(k % o.shard_count) == o.shard_index) mine.push_back(all[k]);

  ScanProgress progress;
  progress.conditions_digest = result.conditions_digest;
  progress.tallies.resize(mine.size());
  if (const ScanProgress* saved = o.resume_from) {
    std::string why;
    if (saved->conditions_digest != result.conditions_digest || saved->tallies.size() != mine.size())
      why = "it was saved for other conditions (digest " + saved->conditions_digest + ", " +
            std::to_string(saved->tallies.size()) + " conditions; this shard: " + result.conditions_digest + ", " +
            std::to_string(mine.size()) + ")";
    else if (saved->examples_done < 0 || saved->examples_done > static_cast<int>(prepared.size()))
      why = "it counts " + std::to_string(saved->examples_done) + " examples done of " + std::to_string(prepared.size());
    if (why.empty()) progress = *saved;
    if (o.on_resume) o.on_resume(why.empty(), progress.examples_done, why);
  }
  auto& tallies = progress.tallies;
  const int total = static_cast<int>(prepared.size() * mine.size());
  int done = progress.examples_done * static_cast<int>(mine.size());
  for (size_t e = progress.examples_done; e < prepared.size(); ++e) {
    const at::Tensor ids = ids_tensor(prepared[e].ids);
    std::vector<at::Tensor> repeated;  // residuals of this example when they were not kept
    if (o.resume_from_residuals && !keep) {
      ForwardOptions f;
      f.keep_residuals = true;
      repeated = run_forward(model, ids, f).residuals;
    }
    const auto& residuals = keep ? intact.residuals[e] : repeated;
    for (size_t c = 0; c < mine.size(); ++c) {
      ForwardOptions f;
      f.ablations = mine[c].ablations;
      f.cancel = o.cancel;
      if (o.resume_from_residuals && !f.ablations.empty()) {
        int first = info.num_layers;
        for (const auto& a : f.ablations) first = std::min(first, a.layer);
        f.start_layer = first;
        if (first > 0) f.start_hidden = residuals.at(first);
      }
      const auto r = run_forward(model, ids, f);
      add(tallies[c], tasks::score_logits(r.logits[-1], prepared[e].choices, prepared[e].answer));
      if (o.on_progress) o.on_progress(++done, total);
    }
    progress.examples_done = static_cast<int>(e + 1);
    if (o.on_example_done) o.on_example_done(progress);
  }
  for (size_t c = 0; c < mine.size(); ++c) {
    const auto& cond = mine[c];
    const bool one_head = cond.head >= 0;
    result.rows.push_back({cond, tallies[c].correct / n, tallies[c].logprob / n,
                           one_head ? intact.scores.gather[cond.row][cond.head] : kNaN,
                           one_head ? intact.scores.aggregate[cond.row][cond.head] : kNaN});
  }
  return result;
}

}  // namespace attnscope
