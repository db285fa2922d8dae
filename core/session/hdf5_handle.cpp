#include "core/session/hdf5_handle.h"

#include <H5PLpublic.h>

#include "core/util/error.h"
#include "core/util/utf8.h"

namespace attnscope::session {
namespace {
// Before any other HDF5 call (static initialisation): no cleanup at exit (a
// file whose close failed on a full disk made it crash there), and no filter
// plugins: a hostile session could name a filter and have HDF5 load a shared
// library from its plugin path. Sessions use deflate and shuffle, built in.
[[maybe_unused]] const bool g_hdf5_configured = [] {
  H5dont_atexit();
  H5PLset_loading_state(0);
  return true;
}();
}  // namespace

void close_after_failure(H5Id& file) {
  if (file.valid()) H5Fclose(file.release());
}

void H5Id::reset() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: break;
  }
  id_ = H5I_INVALID_HID;
}

void silence_hdf5_errors() {
  // The error stack (and its printing) is per thread in thread-safe HDF5
  // builds: the GUI's worker thread needs its own switch.
  thread_local bool silenced = false;
  if (!silenced) H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr), silenced = true;
}

hid_t check(hid_t id, const std::filesystem::path& file, const std::string& what) {
  if (id < 0) fail_file(file, what);
  return id;
}

void check_status(herr_t status, const std::filesystem::path& file, const std::string& what) {
  if (status < 0) fail_file(file, what);
}

hid_t float16_type() {
  static hid_t type = [] {
    hid_t t = H5Tcopy(H5T_IEEE_F32LE);
    H5Tset_fields(t, 15, 10, 5, 0, 10);  // sign bit, exponent at 10 (5 bits), mantissa 10 bits
    H5Tset_size(t, 2);
    H5Tset_ebias(t, 15);
    H5Tlock(t);
    return t;
  }();
  return type;
}

bool has_link(hid_t loc, const std::string& name) { return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0; }

bool has_attribute(hid_t loc, const std::string& name) { return H5Aexists(loc, name.c_str()) > 0; }

namespace {
H5Id string_type() {
  H5Id t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

void write_attr(hid_t loc, const std::string& name, hid_t type, const void* value) {
  if (has_attribute(loc, name)) H5Adelete(loc, name.c_str());
  H5Id space(H5Screate(H5S_SCALAR));
  H5Id attr(H5Acreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid() || H5Awrite(attr, type, value) < 0) throw Error("cannot write attribute " + name);
}

H5Id open_attr(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  if (!has_attribute(loc, name)) fail_file(file, "is missing the attribute '" + name + "'");
  H5Id attr(check(H5Aopen(loc, name.c_str(), H5P_DEFAULT), file, "cannot open attribute " + name));
  // Every attribute a session has is one value: an array would be read into a single variable's memory.
  H5Id space(H5Aget_space(attr));
  if (H5Sget_simple_extent_npoints(space) != 1) fail_file(file, "attribute '" + name + "' is not a single value: damaged session");
  return attr;
}

H5Id create_dataset(hid_t loc, const std::string& name, hid_t type, const std::vector<hsize_t>& dims) {
  H5Id space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  H5Id set(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!set.valid()) throw Error("cannot create dataset " + name);
  return set;
}

H5Id open_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  if (!has_link(loc, name)) fail_file(file, "is missing the dataset '" + name + "'");
  return H5Id(check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), file, "cannot open dataset " + name));
}

size_t element_count(hid_t dataset, const std::string& name, const std::filesystem::path& file) {
  H5Id space(H5Dget_space(dataset));
  hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 0 || static_cast<size_t>(n) > kMaxVectorElements)
    fail_file(file, "dataset '" + name + "' declares " + std::to_string(n) + " elements: damaged session");
  return static_cast<size_t>(n);
}

template <typename T>
void write_vector(hid_t loc, const std::string& name, hid_t type, const std::vector<T>& values,
                  std::vector<hsize_t> dims) {
  if (dims.empty()) dims = {values.size()};
  H5Id set = create_dataset(loc, name, type, dims);
  if (!values.empty() && H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
    throw Error("cannot write dataset " + name);
}

template <typename T>
std::vector<T> read_vector(hid_t loc, const std::string& name, hid_t type, const std::filesystem::path& file) {
  H5Id set = open_dataset(loc, name, file);
  std::vector<T> out(element_count(set, name, file));
  if (!out.empty()) check_status(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), file,
                                 "cannot read dataset " + name);
  return out;
}
}  // namespace

std::string storable_utf8(const std::string& text) {
  std::string out = utf8::sanitized(text);
  for (size_t i = out.find('\0'); i != std::string::npos; i = out.find('\0', i)) out.replace(i, 1, "\xE2\x90\x80");
  return out;
}

void write_string_attr(hid_t loc, const std::string& name, const std::string& text) {
  H5Id type = string_type();
  const std::string value = storable_utf8(text);
  const char* p = value.c_str();
  write_attr(loc, name, type, &p);
}

void write_int_attr(hid_t loc, const std::string& name, int64_t value) {
  write_attr(loc, name, H5T_NATIVE_INT64, &value);
}

void write_double_attr(hid_t loc, const std::string& name, double value) {
  write_attr(loc, name, H5T_NATIVE_DOUBLE, &value);
}

std::string read_string_attr(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  H5Id attr = open_attr(loc, name, file);
  H5Id file_type(H5Aget_type(attr));
  if (H5Tget_class(file_type) != H5T_STRING) fail_file(file, "attribute '" + name + "' is not a string");
  if (H5Tis_variable_str(file_type) > 0) {
    H5Id type = string_type();
    char* p = nullptr;
    check_status(H5Aread(attr, type, &p), file, "cannot read attribute " + name);
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
  }
  std::string s(H5Tget_size(file_type), '\0');
  check_status(H5Aread(attr, file_type, s.data()), file, "cannot read attribute " + name);
  return s.substr(0, s.find('\0'));
}

int64_t read_int_attr(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  H5Id attr = open_attr(loc, name, file);
  int64_t v = 0;
  check_status(H5Aread(attr, H5T_NATIVE_INT64, &v), file, "attribute '" + name + "' is not a number");
  return v;
}

double read_double_attr(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  H5Id attr = open_attr(loc, name, file);
  double v = 0;
  check_status(H5Aread(attr, H5T_NATIVE_DOUBLE, &v), file, "attribute '" + name + "' is not a number");
  return v;
}

void write_string_dataset(hid_t loc, const std::string& name, const std::vector<std::string>& texts) {
  std::vector<std::string> values;
  for (const auto& t : texts) values.push_back(storable_utf8(t));
  std::vector<const char*> ptrs;
  for (const auto& s : values) ptrs.push_back(s.c_str());
  H5Id type = string_type();
  write_vector(loc, name, type, ptrs, {});
}

std::vector<std::string> read_string_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  H5Id set = open_dataset(loc, name, file);
  H5Id file_type(H5Dget_type(set));
  if (H5Tget_class(file_type) != H5T_STRING) fail_file(file, "dataset '" + name + "' does not hold strings");
  H5Id type = string_type();
  std::vector<char*> ptrs(element_count(set, name, file), nullptr);
  if (!ptrs.empty())
    check_status(H5Dread(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()), file, "cannot read " + name);
  std::vector<std::string> out;
  for (char* p : ptrs) out.emplace_back(p ? p : "");
  if (!ptrs.empty()) {
    H5Id space(H5Dget_space(set));
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, ptrs.data());
  }
  return out;
}

std::string read_single_string(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  auto values = read_string_dataset(loc, name, file);
  if (values.size() != 1)
    fail_file(file, "dataset '" + name + "' holds " + std::to_string(values.size()) + " strings, not one: damaged session");
  return values.front();
}

void write_bytes_dataset(hid_t loc, const std::string& name, const std::string& bytes) {
  write_vector(loc, name, H5T_NATIVE_UINT8, std::vector<uint8_t>(bytes.begin(), bytes.end()), {});
}

std::string read_bytes_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  const auto bytes = read_vector<uint8_t>(loc, name, H5T_NATIVE_UINT8, file);
  return std::string(bytes.begin(), bytes.end());
}

void write_int64_dataset(hid_t loc, const std::string& name, const std::vector<int64_t>& values,
                         std::vector<hsize_t> dims) {
  write_vector(loc, name, H5T_NATIVE_INT64, values, std::move(dims));
}

std::vector<int64_t> read_int64_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  return read_vector<int64_t>(loc, name, H5T_NATIVE_INT64, file);
}

void write_float_dataset(hid_t loc, const std::string& name, const std::vector<float>& values,
                         std::vector<hsize_t> dims) {
  write_vector(loc, name, H5T_NATIVE_FLOAT, values, std::move(dims));
}

std::vector<float> read_float_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  return read_vector<float>(loc, name, H5T_NATIVE_FLOAT, file);
}

std::vector<hsize_t> dataset_dims(hid_t loc, const std::string& name, const std::filesystem::path& file) {
  H5Id set = open_dataset(loc, name, file);
  H5Id space(H5Dget_space(set));
  std::vector<hsize_t> dims(static_cast<size_t>(std::max(0, H5Sget_simple_extent_ndims(space))));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

}  // namespace attnscope::session
