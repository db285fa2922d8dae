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
  hid_t release() {  // the caller closes it
    const hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

// Turns HDF5's own error printing off (we report errors ourselves), once.
void silence_hdf5_errors();
// Closes a file whose writes failed (a full disk): HDF5 may refuse and keep
// it open; the id is dropped either way, and HDF5's exit-time cleanup, which
// would retry and crash, is switched off for the whole program.
void close_after_failure(H5Id& file);
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

// Strings are stored as valid UTF-8 (readers such as h5py decode strictly):
// invalid bytes become U+FFFD and NUL bytes U+2400 (a C string would stop
// there). Bytes that must survive exactly go in a uint8 dataset instead.
std::string storable_utf8(const std::string& text);

// Reads refuse datasets of more than this many elements (a damaged or
// hostile file may declare billions): a session's largest vector is a
// vocabulary or a prompt.
constexpr size_t kMaxVectorElements = size_t(1) << 26;

// Datasets of strings (variable length UTF-8), int64 and float32 vectors, bytes.
void write_string_dataset(hid_t loc, const std::string& name, const std::vector<std::string>& values);
std::vector<std::string> read_string_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file);
// A dataset that must hold exactly one string.
std::string read_single_string(hid_t loc, const std::string& name, const std::filesystem::path& file);
void write_bytes_dataset(hid_t loc, const std::string& name, const std::string& bytes);
std::string read_bytes_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file);
void write_int64_dataset(hid_t loc, const std::string& name, const std::vector<int64_t>& values,
                         std::vector<hsize_t> dims = {});
std::vector<int64_t> read_int64_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file);
void write_float_dataset(hid_t loc, const std::string& name, const std::vector<float>& values,
                         std::vector<hsize_t> dims = {});
std::vector<float> read_float_dataset(hid_t loc, const std::string& name, const std::filesystem::path& file);
std::vector<hsize_t> dataset_dims(hid_t loc, const std::string& name, const std::filesystem::path& file);

}  // namespace attnscope::session
