#include "core/session/factor_store.h"

#include <algorithm>
#include <cmath>

#include "core/util/error.h"
#include "core/util/memory.h"
#include "core/util/huge_pages.h"

namespace attnscope::session {
namespace {

// Head sizes of real models are 64 to 256; a larger one is a crafted file.
constexpr int64_t kMaxFactorDim = 4096;
// A Mamba-1 head averages at most this many (channel, state) pairs: every
// channel of Falcon-Mamba-7B's layer (8192 x 16) as one head is 2^17.
constexpr int64_t kMaxSelectiveHeadWidth = int64_t(1) << 18;

[[noreturn]] void damaged(const std::filesystem::path& file, const std::string& what) {
  fail_file(file, what + ": damaged session");
}

template <typename T>
void write_array(hid_t group, const std::string& name, hid_t type, const std::vector<T>& values,
                 std::vector<hsize_t> dims) {
  H5Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  H5Id set(H5Dcreate2(group, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!set.valid() || H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    throw Error("cannot write the map factors' dataset " + name);
}

struct Names {
  const char *left, *right;
};
Names names_of(FactorForm form) { return form == FactorForm::Softmax ? Names{"q", "k"} : Names{"C", "B"}; }

FactorForm form_of(hid_t group, const std::string& where, const std::filesystem::path& file) {
  const std::string form = read_string_attr(group, "form", file);
  if (form == "softmax") return FactorForm::Softmax;
  if (form == "ssd") return FactorForm::Ssd;
  if (form == "selective") return FactorForm::Selective;
  damaged(file, where + " has factors of an unknown form '" + form + "'");
}

void expect_dims(hid_t group, const std::string& name, const std::vector<hsize_t>& want, hid_t float_class_size,
                 const std::string& where, const std::filesystem::path& file) {
  if (!has_link(group, name)) damaged(file, where + " lacks its dataset " + name);
  const auto dims = dataset_dims(group, name, file);
  if (dims != want) {
    std::string shape;
    for (auto d : want) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    damaged(file, where + "/" + name + " is not [" + shape + "] as the model and prompt say");
  }
  H5Id set(H5Dopen2(group, name.c_str(), H5P_DEFAULT));
  H5Id type(H5Dget_type(set));
  if (H5Tget_class(type) != H5T_FLOAT || H5Tget_size(type) != static_cast<size_t>(float_class_size))
    damaged(file, where + "/" + name + " does not hold float" + std::to_string(8 * float_class_size) + " numbers");
}

template <typename T>
std::vector<T> read_array(hid_t group, const std::string& name, hid_t type, size_t count, const std::filesystem::path& file) {
  std::vector<T> out = huge_page_vector<T>(count);
  H5Id set(H5Dopen2(group, name.c_str(), H5P_DEFAULT));
  check_status(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), file, "cannot read map factors " + name);
  return out;
}

}  // namespace

void write_factor_group(hid_t group, const MapFactors& f, const std::vector<float>* row_normalisers) {
  if (!f.consistent()) throw Error("internal: inconsistent map factors");
  write_string_attr(group, "form", factor_form_name(f.form));
  write_int_attr(group, "heads", f.heads);
  write_int_attr(group, "groups", f.groups);
  write_int_attr(group, "dim", f.dim);
  const auto L = static_cast<hsize_t>(f.length), d = static_cast<hsize_t>(f.dim);
  const auto H = static_cast<hsize_t>(f.heads), G = static_cast<hsize_t>(f.groups);
  const Names n = names_of(f.form);
  if (f.form == FactorForm::Softmax) {
    write_double_attr(group, "scale", f.scale);
    write_array(group, n.left, H5T_NATIVE_FLOAT, f.left, {H, L, d});
  } else if (f.form == FactorForm::Ssd) {
    write_array(group, n.left, H5T_NATIVE_FLOAT, f.left, {G, L, d});
    write_array(group, "log_decay_cumsum", H5T_NATIVE_DOUBLE, f.log_decay_cumsum, {H, L});
    write_array(group, "weight", H5T_NATIVE_FLOAT, f.weight, {H, L});
  } else {
    const auto D = static_cast<hsize_t>(f.channels()), R = static_cast<hsize_t>(f.dt_rank);
    write_int_attr(group, "channels_per_head", f.channels_per_head);
    write_int_attr(group, "dt_rank", f.dt_rank);
    write_array(group, n.left, H5T_NATIVE_FLOAT, f.left, {G, L, d});
    write_array(group, "dt_input", H5T_NATIVE_FLOAT, f.dt_input, {L, R});
    write_array(group, "dt_weight", H5T_NATIVE_FLOAT, f.dt_weight, {D, R});
    write_array(group, "dt_bias", H5T_NATIVE_FLOAT, f.dt_bias, {D});
    write_array(group, "A", H5T_NATIVE_FLOAT, f.A, {D, d});
  }
  write_array(group, n.right, H5T_NATIVE_FLOAT, f.right, {G, L, d});
  if (row_normalisers && f.form == FactorForm::Softmax) {
    if (row_normalisers->size() != static_cast<size_t>(H * L * 2)) throw Error("internal: row normalisers of the wrong size");
    write_array(group, "row_normalisers", H5T_NATIVE_FLOAT, *row_normalisers, {H, L, 2});
  }
}

MapFactors check_factor_group(hid_t group, const std::string& where, const MixerRecord& mixer, int64_t length,
                              const std::filesystem::path& file) {
  const FactorForm form = form_of(group, where, file);
  const int64_t heads = read_int_attr(group, "heads", file), groups = read_int_attr(group, "groups", file),
                dim = read_int_attr(group, "dim", file);
  if (heads != mixer.heads) damaged(file, where + " has factors of " + std::to_string(heads) + " heads, not " + std::to_string(mixer.heads));
  if (groups <= 0 || groups > heads || heads % groups != 0)
    damaged(file, where + " shares its factors in " + std::to_string(groups) + " groups of " + std::to_string(heads) + " heads");
  if (dim <= 0 || dim > kMaxFactorDim) damaged(file, where + " has factors of " + std::to_string(dim) + " numbers per token");
  const double scale = form == FactorForm::Softmax ? read_double_attr(group, "scale", file) : 1.0;
  if (!std::isfinite(scale) || std::abs(scale) > 1e6) damaged(file, where + " has a score scale of " + std::to_string(scale));
  // Softmax factors give softmax maps, SSD factors SSD maps, selective factors
  // Mamba-1's direct maps: a mixer of another kind (or view) has none.
  const bool fits = form == FactorForm::Softmax ? mixer.kind == "softmax_attention"
                    : form == FactorForm::Ssd   ? mixer.kind == "mamba2_ssd" || mixer.kind == "discrete_mamba2"
                                                : mixer.kind == "mamba1_channel" && mixer.view == "direct";
  if (!fits)
    damaged(file, where + " holds " + factor_form_name(form) + " factors for a " + mixer.kind + " mixer (" + mixer.view +
                      " view)");
  int64_t dt_rank = 0;
  if (form == FactorForm::Selective) {
    if (groups != 1) damaged(file, where + " shares selective factors in " + std::to_string(groups) + " groups");
    if (read_int_attr(group, "channels_per_head", file) != mixer.channels_per_head)
      damaged(file, where + " averages another number of channels per head than its mixer says");
    if (static_cast<int64_t>(mixer.channels_per_head) * dim > kMaxSelectiveHeadWidth)
      damaged(file, where + " averages " + std::to_string(mixer.channels_per_head) + " channels of " + std::to_string(dim) +
                        " states a head");
    dt_rank = read_int_attr(group, "dt_rank", file);
    if (dt_rank <= 0 || dt_rank > kMaxFactorDim)
      damaged(file, where + " has a step input of " + std::to_string(dt_rank) + " numbers per token");
  }
  const auto L = static_cast<hsize_t>(length), d = static_cast<hsize_t>(dim);
  const auto H = static_cast<hsize_t>(heads), G = static_cast<hsize_t>(groups);
  const Names n = names_of(form);
  expect_dims(group, n.left, {form == FactorForm::Softmax ? H : G, L, d}, 4, where, file);
  expect_dims(group, n.right, {G, L, d}, 4, where, file);
  if (form == FactorForm::Ssd) {
    expect_dims(group, "log_decay_cumsum", {H, L}, 8, where, file);
    expect_dims(group, "weight", {H, L}, 4, where, file);
  }
  if (form == FactorForm::Selective) {
    const auto D = static_cast<hsize_t>(mixer.heads) * static_cast<hsize_t>(mixer.channels_per_head);
    const auto R = static_cast<hsize_t>(dt_rank);
    expect_dims(group, "dt_input", {L, R}, 4, where, file);
    expect_dims(group, "dt_weight", {D, R}, 4, where, file);
    expect_dims(group, "dt_bias", {D}, 4, where, file);
    expect_dims(group, "A", {D, d}, 4, where, file);
  }
  if (has_link(group, "row_normalisers")) {
    if (form != FactorForm::Softmax) damaged(file, where + " has row normalisers, which only softmax factors have");
    expect_dims(group, "row_normalisers", {H, L, 2}, 4, where, file);
  }
  MapFactors shape;
  shape.form = form;
  shape.heads = mixer.heads, shape.groups = static_cast<int>(groups);
  shape.length = length, shape.dim = dim;
  shape.scale = scale;
  shape.channels_per_head = form == FactorForm::Selective ? mixer.channels_per_head : 1;
  shape.dt_rank = dt_rank;
  return shape;
}

MapFactors read_factor_group(hid_t group, const std::string& where, const MixerRecord& mixer, int64_t length,
                             const std::filesystem::path& file) {
  MapFactors f = check_factor_group(group, where, mixer, length, file);
  const size_t left = static_cast<size_t>((f.form == FactorForm::Softmax ? f.heads : f.groups) * length * f.dim);
  const size_t right = static_cast<size_t>(f.groups * length * f.dim);
  // Selective: the step input and projection, and a head's decays when it is drawn (12 bytes a position and channel).
  const double selective = f.form == FactorForm::Selective
                               ? 4.0 * static_cast<double>(length * f.dt_rank + f.channels() * (f.dt_rank + 1 + f.dim)) +
                                     12.0 * static_cast<double>(length) * f.channels_per_head
                               : 0.0;
  require_memory(4.0 * static_cast<double>(left + right) + 12.0 * f.heads * length + selective,
                 "reading the map factors of " + where + " from " + file.string(), "close other sessions first");
  const Names n = names_of(f.form);
  f.left = read_array<float>(group, n.left, H5T_NATIVE_FLOAT, left, file);
  f.right = read_array<float>(group, n.right, H5T_NATIVE_FLOAT, right, file);
  if (f.form == FactorForm::Ssd) {
    const size_t per_head = static_cast<size_t>(f.heads * length);
    f.log_decay_cumsum = read_array<double>(group, "log_decay_cumsum", H5T_NATIVE_DOUBLE, per_head, file);
    f.weight = read_array<float>(group, "weight", H5T_NATIVE_FLOAT, per_head, file);
  }
  if (f.form == FactorForm::Selective) {
    const auto D = static_cast<size_t>(f.channels()), R = static_cast<size_t>(f.dt_rank);
    f.dt_input = read_array<float>(group, "dt_input", H5T_NATIVE_FLOAT, static_cast<size_t>(length) * R, file);
    f.dt_weight = read_array<float>(group, "dt_weight", H5T_NATIVE_FLOAT, D * R, file);
    f.dt_bias = read_array<float>(group, "dt_bias", H5T_NATIVE_FLOAT, D, file);
    f.A = read_array<float>(group, "A", H5T_NATIVE_FLOAT, D * static_cast<size_t>(f.dim), file);
    // A decay rate must be negative and finite: the kernel's exponents are then never positive.
    for (const float a : f.A)
      if (!(a <= 0) || !std::isfinite(a)) damaged(file, where + "/A holds a decay rate that is not a negative number");
    // One non-finite step would poison every later position's running sum.
    for (const auto* values : {&f.dt_input, &f.dt_weight, &f.dt_bias})
      for (const float v : *values)
        if (!std::isfinite(v)) damaged(file, where + " has a step input, weight or bias that is not finite");
  }
  return f;
}

std::vector<float> read_row_normalisers(hid_t group, const std::string& where, int head, int64_t length,
                                        const std::filesystem::path& file) {
  if (!has_link(group, "row_normalisers")) return {};
  H5Id set(H5Dopen2(group, "row_normalisers", H5P_DEFAULT));
  H5Id space(H5Dget_space(set));
  const hsize_t start[3] = {static_cast<hsize_t>(head), 0, 0}, count[3] = {1, static_cast<hsize_t>(length), 2};
  check_status(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr), file,
               "cannot select the row normalisers of " + where);
  H5Id memspace(H5Screate_simple(3, count, nullptr));
  std::vector<float> out(static_cast<size_t>(2 * length));
  check_status(H5Dread(set, H5T_NATIVE_FLOAT, memspace, space, H5P_DEFAULT, out.data()), file,
               "cannot read the row normalisers of " + where);
  for (int64_t i = 0; i < length; ++i) {
    const float m = out[2 * i], log_sum = out[2 * i + 1];
    if (!std::isfinite(m) || !std::isfinite(log_sum))
      damaged(file, where + "/row_normalisers holds a number that is not finite");
    // Row i sums i + 1 terms of at most 1, one of them exactly 1: its log sum lies in [0, log(i + 1)].
    if (log_sum < -1e-3f || log_sum > std::log(static_cast<float>(i + 1)) + 1e-3f)
      damaged(file, where + "/row_normalisers has a row whose weights cannot sum to one");
  }
  return out;
}

void write_overview_dataset(hid_t group, const std::string& name, const float* values, int heads, int size) {
  const hsize_t dims[3] = {static_cast<hsize_t>(heads), static_cast<hsize_t>(size), static_cast<hsize_t>(size)};
  const hsize_t chunk[3] = {1, dims[1], dims[2]};
  H5Id space(H5Screate_simple(3, dims, nullptr));
  H5Id dcpl(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_chunk(dcpl, 3, chunk);
  H5Pset_deflate(dcpl, 1);  // the empty upper triangle costs nothing
  H5Id set(H5Dcreate2(group, name.c_str(), H5T_NATIVE_FLOAT, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
  if (!set.valid() || H5Dwrite(set, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0)
    throw Error("cannot write the overview " + name);
  write_string_attr(set, "pooling", "max_abs");
}

int check_overview_dataset(hid_t group, const std::string& name, const std::string& where, const MixerRecord& mixer,
                           int64_t length, const std::filesystem::path& file) {
  const auto dims = dataset_dims(group, name, file);
  if (dims.size() != 3 || dims[0] != static_cast<hsize_t>(mixer.heads) || dims[1] != dims[2] || dims[1] == 0 ||
      dims[1] > static_cast<hsize_t>(std::min(length, kMaxOverviewSize)))
    damaged(file, where + " is not an overview of " + std::to_string(mixer.heads) + " heads at most " +
                      std::to_string(std::min(length, kMaxOverviewSize)) + " cells a side");
  H5Id set(H5Dopen2(group, name.c_str(), H5P_DEFAULT));
  H5Id type(H5Dget_type(set));
  if (H5Tget_class(type) != H5T_FLOAT || H5Tget_size(type) != 4) damaged(file, where + " does not hold float32 numbers");
  return static_cast<int>(dims[1]);
}

}  // namespace attnscope::session
