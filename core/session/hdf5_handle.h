#pragma once
// RAII for HDF5 identifiers, and the small helpers the session code repeats:
// string/number attributes, string datasets. Every failure throws
// attnscope::Error naming the file.
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace attnscope::session {

class H5Id {
 public:
  H5Id() = default;
  explicit H5Id(hid_t id) : id_(id) {}
  ~H5Id() { reset(); }
  H5Id(H5Id&& o) noexcept : id_(o.id_) { o.id_ = H5I_INVALID_HID; }
  H5Id& operator=(H5Id&& o) noexcept {
    if (this != &o) reset(), id_ = o.id_, o.id_ = H5I_INVALID_HID;
    return *this;
  }
  H5Id(const H5Id&) = delete;
  H5Id& operator=(const H5Id&) = delete;
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Turns HDF5's own error printing off (we report errors ourselves), once.
void silence_hdf5_errors();
// Throws attnscope::Error("<file>: <what>") when id < 0.
hid_t check(hid_t id, const std::filesystem::path& file, const std::string& what);
void check_status(herr_t status, const std::filesystem::path& file, const std::string& what);

// The IEEE half-precision type (HDF5 1.10 has no predefined one); h5py maps it to float16.
hid_t float16_type();

bool has_link(hid_t loc, const std::string& name);
bool has_attribute(hid_t loc, const std::string& name);
void write_string_attr(hid_t loc, const std::string& name, const std::string& value);
void write_int_attr(hid_t loc, const std::string& name, int64_t value);
void write_double_attr(hid_t loc, const std::string& name, double value);
std::string read_string_attr(hid_t loc, const std::string& name, const std::filesystem::path& file);
int64_t read_int_attr(hid_t loc, const std::string& name, const std::filesystem::path& file);
double read_double_attr(hid_t loc, const std::string& name, const std::filesystem::path& file);

// Datasets of strings (variable length UTF-8), int64 and float32 vectors.
void write_string_dataset(hid_t loc, const std::string& name, const std::vector<std::string>& values);
std::vector<std::string> read_string_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file);
void write_int64_dataset(hid_t loc, const std::string& name, const std::vector<int64_t>& values,
                         std::vector<hsize_t> dims = {});
std::vector<int64_t> read_int64_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file);
void write_float_dataset(hid_t loc, const std::string& name, const std::vector<float>& values,
                         std::vector<hsize_t> dims = {});
std::vector<float> read_float_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file);
std::vector<hsize_t> dataset_dims(hid_t loc, const std::string& name, const std::filesystem::path& file);

}  // namespace attnscope::session
