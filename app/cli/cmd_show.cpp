// attnscope show <session.h5> [--json]: what a saved session holds, read
// lazily (metadata only), with no model present.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/session/checked_open.h"

namespace attnscope::cli {
namespace {

// {"3": "softmax_attention"}: heads of another kind than their mixer.
nlohmann::json head_kinds_json(const session::MixerRecord& mixer) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [head, kind] : mixer.head_kinds) j[std::to_string(head)] = kind;
  return j;
}

}  // namespace

int cmd_show(const Argv& argv) {
  Args args(argv, {}, {"json"});
  const auto reader = session::open_session_checked(args.positional_at(0, "session file"));
  const session::SessionReader& s = *reader;
  const auto& m = s.model();
  if (args.flag("json")) {
    nlohmann::ordered_json j = {{"path", s.path().string()},
                                {"schema_version", s.header().schema_version},
                                {"app_version", s.header().app_version},
                                {"created", s.header().created},
                                {"family", m.family},
                                {"source", m.source},
                                {"dtype", m.dtype},
                                {"device", m.device},
                                {"tokens", s.length()},
                                {"text", s.prompt().text},
                                {"token_strings", s.prompt().tokens},
                                {"layers", nlohmann::json::array()},
                                {"top_k", nlohmann::json::array()},
                                {"target_id", s.outputs().target},
                                {"target_logprob", s.outputs().target_logprob},
                                {"ablations", nlohmann::json::array()},
                                {"metrics", s.metric_names()}};
    // One entry per mixer with maps (a layer with several mixers has several).
    for (int row : s.rows_with_maps()) {
      const auto& r = s.mixer(row);
      j["layers"].push_back({{"layer", r.layer}, {"mixer", r.name}, {"kind", r.kind}, {"heads", r.heads},
                             {"description", r.description}, {"dtype", s.maps_dtype(row)},
                             {"head_kinds", head_kinds_json(r)}});
    }
    for (const auto& t : s.outputs().top) j["top_k"].push_back({{"id", t.id}, {"token", t.token}, {"prob", t.prob}});
    for (const auto& a : s.ablations())
      j["ablations"].push_back({{"spec", a.spec}, {"target_logprob_delta", a.target_logprob_delta},
                                {"top1", a.outputs.top.empty() ? "" : a.outputs.top[0].token}});
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("session      %s (schema %lld, AttnScope %s, %s)\n", s.path().c_str(),
              static_cast<long long>(s.header().schema_version), s.header().app_version.c_str(),
              s.header().created.c_str());
  std::printf("model        %s from %s (%s on %s)\n", m.family.c_str(), m.source.c_str(), m.dtype.c_str(),
              m.device.c_str());
  std::printf("prompt       %lld tokens: %s\n", static_cast<long long>(s.length()),
              s.prompt().text.substr(0, 120).c_str());
  std::printf("maps         %zu mixers in %zu layers\n", s.rows_with_maps().size(), m.layer_descriptions.size());
  for (int row : s.rows_with_maps()) {
    const auto& r = s.mixer(row);
    std::printf("  layer %-8s %-18s %5d heads  %s, %s\n", m.row_label(row).c_str(), r.kind.c_str(), r.heads,
                s.maps_dtype(row).c_str(), r.description.c_str());
  }
  std::printf("next token\n");
  for (const auto& t : s.outputs().top) std::printf("  %-20s %.6f\n", t.token.c_str(), t.prob);
  for (size_t i = 0; i < s.ablations().size(); ++i) {
    const auto& a = s.ablations()[i];
    std::printf("ablation %zu  %s: target log p change %+.6f, top-1 %s\n", i, a.spec.c_str(), a.target_logprob_delta,
                a.outputs.top.empty() ? "-" : a.outputs.top[0].token.c_str());
  }
  for (const auto& name : s.metric_names()) {
    // Saved sweeps and patching say what they measured (first line: the prompt may follow).
    const std::string about = s.metric(name).description;
    const std::string first = about.substr(0, about.find('\n'));
    std::printf("metric       %s%s\n", name.c_str(), first.empty() ? "" : ("  (" + first + ")").c_str());
  }
  return 0;
}

}  // namespace attnscope::cli
