#pragma once
// Folders of IDX files as the terminal trainer finds them: the four standard files of a
// dataset, or one pair of images + labels with any prefix (what the page exports as
// "My digits": my-digits-images-idx3-ubyte, my-digits-labels-idx1-ubyte).
#include <string>

#include "data/dataset.h"

namespace digitrain {

// The test pair (t10k-images-idx3-ubyte + t10k-labels-idx1-ubyte) when `dir` has it, else
// the one *images-idx3-ubyte + *labels-idx1-ubyte pair in it; an Error names what is missing
// or ambiguous.
Dataset load_test_pair(const std::string& dir);

// The one *images-idx3-ubyte + *labels-idx1-ubyte pair in `dir`.
Dataset load_idx_pair(const std::string& dir);

}  // namespace digitrain
