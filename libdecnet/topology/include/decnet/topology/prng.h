// A small, portable PRNG for reproducible topologies.
//
// Why not <random>: std::uniform_int_distribution and friends are implementation-defined, so the
// same seed gives different fleets on libstdc++ and libc++. Everything here is specified bit for
// bit: SplitMix64 to expand the seed, xoshiro256** for the stream, Lemire's unbiased bounded
// integers, 53-bit doubles.
#pragma once

#include <cstddef>
#include <cstdint>

namespace decnet::topology {

class Prng {
 public:
  explicit Prng(uint64_t seed);

  uint64_t Next();
  // Uniform integer in [lo, hi] (inclusive). REQUIRES: lo <= hi.
  int64_t Range(int64_t lo, int64_t hi);
  // Uniform index in [0, n). REQUIRES: n > 0.
  size_t Index(size_t n);
  // Uniform double in [0, 1) with 53 bits of precision.
  double Unit();

 private:
  uint64_t Bounded(uint64_t n);  // [0, n), n > 0
  uint64_t s_[4];
};

}  // namespace decnet::topology
