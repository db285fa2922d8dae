// The trainer's parts: the BPE learner gives a loadable, round-tripping,
// deterministic tokenizer; task generators are deterministic and well formed;
// a short training run lowers the loss and writes a checkpoint the ordinary
// loader reads back to the same outputs.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "core/io/checkpoint.h"
#include "core/io/json_file.h"
#include "core/io/tokenizer.h"
#include "core/models/forward.h"
#include "core/models/registry.h"
#include "core/tasks/scoring.h"
#include "core/models/weights.h"
#include "core/train/bpe_trainer.h"
#include "core/train/head_sparsity.h"
#include "core/train/trainer.h"

using namespace attnscope;
namespace fs = std::filesystem;

TEST(BpeTrainer, LearnsFrequentWordsAndRoundTrips) {
  std::vector<std::string> corpus;
  for (const auto& e : tasks::generate({"letters", 4}, 300, 3)) corpus.push_back(e.prompt() + e.answer());
  train::BpeTrainingOptions o;
  o.max_merges = 300;
  o.special_tokens = {"<|endoftext|>"};
  const auto json = train::train_byte_level_bpe(corpus, o);
  EXPECT_EQ(json.dump(), train::train_byte_level_bpe(corpus, o).dump()) << "deterministic";
  const auto tok = io::Tokenizer::from_json_text(json.dump(), "learnt");
  EXPECT_EQ(tok->encode_ids("Question").size(), 1u) << "a word in every example becomes one token";
  for (const std::string& s : std::vector<std::string>{"Which option is zebra?\nA. ünïcödé 🙂", "  spaces\t\ttabs\r\n", corpus[7]})
    EXPECT_EQ(tok->decode(tok->encode_ids(s)), s);
  EXPECT_EQ(tok->encode_ids("x<|endoftext|>y").size(), 3u);
}

TEST(Tasks, DeterministicAndWellFormed) {
  for (const auto& name : tasks::task_names()) {
    const auto a = tasks::generate({name, 0}, 20, 42), b = tasks::generate({name, 0}, 20, 42);
    const auto c = tasks::generate({name, 0}, 20, 43);
    ASSERT_EQ(a.size(), 20u);
    bool differs = false;
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].prompt() + a[i].answer(), b[i].prompt() + b[i].answer()) << name;
      differs |= a[i].prompt() != c[i].prompt();
      // The answer is one of the choices.
      EXPECT_NE(std::find(a[i].choices.begin(), a[i].choices.end(), a[i].answer()), a[i].choices.end()) << name;
    }
    EXPECT_TRUE(differs) << name << ": another seed gives other examples";
  }
  const auto letters = tasks::generate({"letters", 4}, 1, 9).front();
  EXPECT_NE(letters.prompt().find("\nD. "), std::string::npos);
  EXPECT_EQ(letters.prompt().substr(letters.prompt().size() - 7), "Answer:");
  // Option lines hold one to three words, so the answer's line is not at a
  // fixed token offset; the question's word ends the answer's line.
  std::set<int> words_per_option;
  for (const auto& e : tasks::generate({"letters", 4}, 50, 5)) {
    const std::string p = e.prompt();
    const std::string word = p.substr(26, p.find('?') - 26);  // after "Question: Which option is "
    for (size_t at = p.find("\nA. "); at != std::string::npos && p[at + 2] == '.'; at = p.find('\n', at + 1)) {
      const std::string line = p.substr(at + 4, p.find('\n', at + 1) - at - 4);
      words_per_option.insert(1 + static_cast<int>(std::count(line.begin(), line.end(), ' ')));
      const std::string last_word = line.substr(line.rfind(' ') + 1);  // the whole line when it is one word
      EXPECT_EQ(last_word == word, p[at + 1] == e.answer()[1]) << p;
    }
  }
  EXPECT_EQ(words_per_option, (std::set<int>{1, 2, 3}));
  EXPECT_THROW(tasks::generate({"sudoku", 0}, 1, 1), Error);
  EXPECT_THROW(tasks::generate({"mqar", 100000}, 1, 1), Error);
}

TEST(Trainer, ShortRunLowersTheLossAndReloads) {
  const fs::path out = fs::temp_directory_path() / ("attnscope-train-" + std::to_string(::getpid()));
  for (const std::string arch : {"transformer", "hybrid"}) {
    train::TrainOptions o;
    o.architecture = arch;
    o.out_dir = out;
    o.steps = 30;
    o.batch = 8;
    o.eval_examples = 20;
    o.tasks = {{"letters", 4}};
    std::vector<double> losses;
    o.on_progress = [&](int, int, double loss) { losses.push_back(loss); };
    const auto report = train::train_demo_model(o);
    ASSERT_EQ(losses.size(), 30u);
    EXPECT_LT(losses.back(), losses.front()) << arch;
    ASSERT_TRUE(fs::exists(out / "README.md"));
    EXPECT_FALSE(fs::exists(out.string() + ".partial"));
    const auto ck = io::Checkpoint::open(out);
    EXPECT_EQ(ck.parameter_count(), report.parameters) << "every trained tensor is saved";
    const auto model = load_model(ck, LoadOptions{});
    const auto tok = io::Tokenizer::from_file(out / "tokenizer.json");
    const auto examples = tasks::generate({"letters", 4}, 20, o.seed + 99991u);
    EXPECT_DOUBLE_EQ(tasks::accuracy(*model, *tok, examples), report.accuracy.at("letters"));
  }
  fs::remove_all(out);
}

TEST(Trainer, LaterStageStartsFromTheEarlierStagesWeightsAndTokenizer) {
  const fs::path root = fs::temp_directory_path() / ("attnscope-stages-" + std::to_string(::getpid()));
  train::TrainOptions first;
  first.out_dir = root / "stage1";
  first.steps = 40;
  first.batch = 8;
  first.eval_examples = 10;
  first.tasks = {{"mqar", 4}};
  first.command = "attnscope train --out stage1";
  std::vector<double> first_losses;
  first.on_progress = [&](int, int, double loss) { first_losses.push_back(loss); };
  train::train_demo_model(first);

  train::TrainOptions second = first;
  second.out_dir = root / "stage2";
  second.steps = 5;
  second.init_from = first.out_dir;
  second.earlier_stages = "attnscope train --out stage1\n";
  second.command = "attnscope train --init-from stage1 --out stage2";
  std::vector<double> second_losses;
  second.on_progress = [&](int, int, double loss) { second_losses.push_back(loss); };
  train::train_demo_model(second);

  // The second stage starts where the first ended, far below a fresh model's first loss.
  EXPECT_LT(second_losses.front(), 0.8 * first_losses.front());
  auto read = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(read(first.out_dir / "tokenizer.json"), read(second.out_dir / "tokenizer.json"));
  const std::string card = read(second.out_dir / "README.md");
  EXPECT_NE(card.find("attnscope train --out stage1\nattnscope train --init-from stage1"), std::string::npos) << card;

  train::TrainOptions wrong = second;
  wrong.architecture = "mamba2";
  wrong.out_dir = root / "wrong";
  EXPECT_THROW(train::train_demo_model(wrong), Error);
  EXPECT_FALSE(fs::exists(root / "wrong.partial")) << "a failed stage leaves nothing behind";
  wrong = second;
  wrong.heads = 2;
  wrong.out_dir = root / "reshaped";
  EXPECT_THROW(train::train_demo_model(wrong), Error) << "a later stage keeps the earlier stage's shape";
  fs::remove_all(root);
}

namespace {
// A few steps on two-option letters, scored on two examples: the trainer's
// plumbing, quickly.
train::TrainOptions short_letters_run(const fs::path& out, int steps, int batch) {
  train::TrainOptions o;
  o.out_dir = out;
  o.steps = steps;
  o.batch = batch;
  o.eval_examples = 2;
  o.tasks = {{"letters", 2}};
  return o;
}
}  // namespace

TEST(Trainer, HeadsSplitTheHiddenSizeUnlessGivenTheirOwn) {
  const fs::path out = fs::temp_directory_path() / ("attnscope-heads-" + std::to_string(::getpid()));
  train::TrainOptions o = short_letters_run(out, 2, 2);
  o.heads = 2;
  train::train_demo_model(o);
  const auto model = load_model(io::Checkpoint::open(out), LoadOptions{});
  EXPECT_EQ(model->info().layers.front().mixers.at(0).heads, 2);
  o.heads = 3;  // 128 does not split in three
  EXPECT_THROW(train::train_demo_model(o), Error);
  o.head_dim = 32;  // unless each head is given its own size
  train::train_demo_model(o);
  const auto wide = load_model(io::Checkpoint::open(out), LoadOptions{});
  EXPECT_EQ(wide->info().layers.front().mixers.at(0).heads, 3);
  EXPECT_EQ(io::read_json_file(out / "config.json").at("head_dim"), 32);
  o.heads = 2;
  o.head_dim = 0;
  o.architecture = "mamba2";  // no attention layers
  EXPECT_THROW(train::train_demo_model(o), Error);
  fs::remove_all(out);
}

// The group-lasso penalty sums each head's output-projection norm, and
// training with it leaves the heads' outputs smaller than training without.
TEST(Trainer, HeadSparsityShrinksHeadOutputs) {
  const at::Tensor w = at::arange(12, at::kFloat).reshape({2, 6});
  const auto projections = train::head_output_projections({{"model.layers.0.self_attn.o_proj.weight", w}}, 3);
  ASSERT_EQ(projections.size(), 1u);
  // Head h owns columns 2h and 2h+1 of both rows.
  double expected = 0;
  for (int h = 0; h < 3; ++h)
    expected += std::sqrt(std::pow(2.0 * h, 2) + std::pow(2.0 * h + 1, 2) + std::pow(6.0 + 2 * h, 2) + std::pow(7.0 + 2 * h, 2));
  EXPECT_NEAR(train::head_group_norm(projections).item<double>(), expected, 1e-4);
  EXPECT_THROW(train::head_output_projections({{"model.layers.0.self_attn.o_proj.weight", w}}, 4), Error);

  const fs::path out = fs::temp_directory_path() / ("attnscope-sparsity-" + std::to_string(::getpid()));
  auto trained_head_norm = [&](double sparsity) {
    train::TrainOptions o = short_letters_run(out, 40, 4);
    o.head_sparsity = sparsity;
    train::train_demo_model(o);
    const auto ck = io::Checkpoint::open(out);
    std::vector<std::pair<std::string, at::Tensor>> named;
    for (const auto& name : ck.tensor_names())
      named.emplace_back(name, tensor_from_view(ck.tensor(name), at::kFloat));
    return train::head_group_norm(train::head_output_projections(named, 4)).item<double>();
  };
  EXPECT_LT(trained_head_norm(0.05), 0.8 * trained_head_norm(0));

  train::TrainOptions ssm;
  ssm.architecture = "mamba2";  // no attention heads to penalise
  ssm.out_dir = out;
  ssm.steps = 1;
  ssm.head_sparsity = 0.01;
  EXPECT_THROW(train::train_demo_model(ssm), Error);
  fs::remove_all(out);
}

// --head-sparsity-layers penalises only the layers named; --head-dropout
// changes what is learnt and is recorded in the card; --keep-heads prunes
// the rest of a layer; layers outside the model and architectures without
// attention are refused.
TEST(Trainer, HeadSparsityAndDropoutTargetTheLayersNamed) {
  const at::Tensor w = at::ones({2, 6});
  const auto only_1 = train::head_output_projections(
      {{"model.layers.0.self_attn.o_proj.weight", w}, {"model.layers.1.self_attn.o_proj.weight", w}}, 3, {1});
  ASSERT_EQ(only_1.size(), 1u);
  EXPECT_EQ(only_1.front().layer, 1);

  const fs::path out = fs::temp_directory_path() / ("attnscope-layers-" + std::to_string(::getpid()));
  auto head_norms = [&](const train::TrainOptions& o) {  // [layer] sum of head output norms after training
    train::train_demo_model(o);
    const auto ck = io::Checkpoint::open(out);
    std::vector<std::pair<std::string, at::Tensor>> named;
    for (const auto& name : ck.tensor_names()) named.emplace_back(name, tensor_from_view(ck.tensor(name), at::kFloat));
    std::vector<double> norms;
    for (int l = 0; l < 2; ++l) norms.push_back(train::head_group_norm(train::head_output_projections(named, 4, {l})).item<double>());
    return norms;
  };
  train::TrainOptions o = short_letters_run(out, 40, 4);
  const auto plain = head_norms(o);
  o.head_sparsity = 0.05;
  o.head_sparsity_layers = {1};
  const auto sparse_1 = head_norms(o);
  EXPECT_LT(sparse_1[1], 0.8 * plain[1]) << "the penalised layer's heads shrink";
  EXPECT_GT(sparse_1[0], 0.9 * plain[0]) << "the other layer's are left alone";

  o = short_letters_run(out, 40, 4);
  o.head_dropout = 0.5;
  o.head_dropout_layers = {0};
  const auto dropped = head_norms(o);
  EXPECT_NE(dropped, plain) << "dropping heads changes what is learnt";
  std::ifstream card(out / "README.md");
  const std::string text((std::istreambuf_iterator<char>(card)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("| head dropout | 0.5"), std::string::npos) << text;
  EXPECT_NE(text.find("layer 0)"), std::string::npos) << text;

  // Pruning: layer 1 keeps head 2 only; the others' output projections are zero in the checkpoint.
  o = short_letters_run(out, 10, 4);
  o.keep_heads = {{1, {2}}};
  train::train_demo_model(o);
  {
    const auto ck = io::Checkpoint::open(out);
    const at::Tensor w = tensor_from_view(ck.tensor("model.layers.1.self_attn.o_proj.weight"), at::kFloat);
    const auto per_head = w.reshape({w.size(0), 4, w.size(1) / 4}).abs().sum(at::IntArrayRef{0, 2});
    for (int h = 0; h < 4; ++h)
      if (h == 2) EXPECT_GT(per_head[h].item<double>(), 0) << "the kept head";
      else EXPECT_EQ(per_head[h].item<double>(), 0) << "pruned head " << h;
  }
  o.keep_heads = {{2, {0}}};
  EXPECT_THROW(train::train_demo_model(o), Error) << "no layer 2";
  o.keep_heads = {{1, {4}}};
  EXPECT_THROW(train::train_demo_model(o), Error) << "no head 4";

  // Sparing: with layer 1's heads dropped at nearly every step, only the
  // spared head learns there (the others get no gradient when zeroed).
  auto layer1_head_sizes = [&](std::vector<KeepSet> spared) {
    o = short_letters_run(out, 30, 4);
    o.head_dropout = 0.999;
    o.head_dropout_layers = {1};
    o.head_dropout_spared = std::move(spared);
    train::train_demo_model(o);
    const auto ck = io::Checkpoint::open(out);
    const at::Tensor w = tensor_from_view(ck.tensor("model.layers.1.self_attn.o_proj.weight"), at::kFloat);
    return w.reshape({w.size(0), 4, w.size(1) / 4}).abs().sum(at::IntArrayRef{0, 2});
  };
  const at::Tensor none_spared = layer1_head_sizes({});
  const at::Tensor spared_2 = layer1_head_sizes({{1, {2}}});
  // Both runs draw the same dropout masks, so the only difference is head 2 learning.
  const at::Tensor change = (spared_2 - none_spared).abs();
  for (int h = 0; h < 4; ++h) {
    if (h == 2) continue;
    EXPECT_GT(change[2].item<double>(), 5 * change[h].item<double>())
        << "the spared head learns, head " << h << " barely changes: " << none_spared << spared_2;
  }
  {
    std::ifstream spared_card(out / "README.md");
    const std::string card_text((std::istreambuf_iterator<char>(spared_card)), std::istreambuf_iterator<char>());
    EXPECT_NE(card_text.find("| spared from head dropout | layer 1: head 2 |"), std::string::npos) << card_text;
  }
  o.head_dropout_spared = {{0, {1}}};
  EXPECT_THROW(train::train_demo_model(o), Error) << "no dropout in layer 0 to spare head 0.1 from";
  o.head_dropout_spared = {{1, {4}}};
  EXPECT_THROW(train::train_demo_model(o), Error) << "no head 4";

  o = short_letters_run(out, 2, 2);
  o.head_dropout = 0.5;
  o.head_dropout_layers = {2};  // the demo Transformer has layers 0 and 1
  EXPECT_THROW(train::train_demo_model(o), Error);
  o.architecture = "mamba2";  // no attention layers to drop heads from
  o.head_dropout_layers = {};
  EXPECT_THROW(train::train_demo_model(o), Error);
  fs::remove_all(out);
}
