#pragma once
// IEEE half <-> float conversion (round to nearest even), for maps stored as
// float16 without involving LibTorch (the reader is used by torch-free code).
#include <cstddef>
#include <cstdint>

namespace attnscope::session {

uint16_t float_to_half(float value);
float half_to_float(uint16_t bits);
void floats_to_halves(const float* in, uint16_t* out, size_t n);
void halves_to_floats(const uint16_t* in, float* out, size_t n);

}  // namespace attnscope::session
