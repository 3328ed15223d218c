// Datasets by name: the catalogue, fit.dataset in descriptions and model files, and
// Fashion-MNIST itself (MNIST's layout, other classes).
#include <gtest/gtest.h>

#include "data/dataset_catalog.h"
#include "model/model_file.h"
#include "model/model_spec.h"
#include "model/presets.h"
#include "test_support.h"

namespace digitrain {
namespace {

using nlohmann::json;

TEST(DatasetCatalog, KnowsMnistAndFashionMnistWithTheirClassNames) {
  ASSERT_NE(find_dataset("mnist"), nullptr);
  EXPECT_STREQ(find_dataset("mnist")->class_names[7], "7");
  const DatasetInfo* fashion = find_dataset("fashion-mnist");
  ASSERT_NE(fashion, nullptr);
  EXPECT_STREQ(fashion->title, "Fashion-MNIST");
  EXPECT_STREQ(fashion->class_names[0], "T-shirt/top");
  EXPECT_STREQ(fashion->class_names[9], "Ankle boot");
  EXPECT_EQ(find_dataset("cifar-10"), nullptr);
  EXPECT_EQ(dataset_names(), "mnist, fashion-mnist");
}

json described(const std::string& fit) {
  return json::parse(R"({"layers": [{"class_name": "Flatten"}, {"class_name": "Dense", "config": {"units": 10}}],
                         "input_shape": [28, 28], "fit": )" + fit + "}");
}

TEST(DatasetCatalog, FitDatasetDefaultsToMnistAndRefusesUnknownNames) {
  EXPECT_EQ(parse_model_spec(described("{}"), "d").fit.dataset, "mnist");
  EXPECT_EQ(parse_model_spec(described(R"({"dataset": "fashion-mnist"})"), "d").fit.dataset, "fashion-mnist");
  EXPECT_ERROR(parse_model_spec(described(R"({"dataset": "cifar-10"})"), "d.json"),
               "d.json: fit 'dataset' must be one of mnist, fashion-mnist, got \"cifar-10\"");
  EXPECT_ERROR(parse_model_spec(described(R"({"dataset": 3})"), "d.json"), "fit 'dataset' must be one of");
}

TEST(DatasetCatalog, TheFashionPresetAndItsSavedModelsNameTheirDataset) {
  const ModelSpec spec = preset_spec("fashion-mlp-128");
  EXPECT_EQ(spec.fit.dataset, "fashion-mnist");
  EXPECT_EQ(fit_settings_to_json(spec.fit)["dataset"], "fashion-mnist");
  // MNIST stays unwritten, so files from before datasets had names read and write the same.
  EXPECT_FALSE(fit_settings_to_json(preset_spec("mlp-128-128").fit).contains("dataset"));
  auto model = build_model(spec, 1);
  const LoadedModel loaded = model_from_json_text(model_to_json_text(*model, spec.fit), "saved");
  EXPECT_EQ(loaded.spec.fit.dataset, "fashion-mnist");
}

TEST(DatasetCatalog, FashionMnistHasMnistsLayout) {
  const std::string dir = testing::source_path("data/fashion-mnist");
  // Set-up always unpacks it (scripts/setup.sh, Debian's dataset-fashion-mnist): missing is a failure.
  ASSERT_TRUE(std::filesystem::exists(dir + "/t10k-images-idx3-ubyte")) << dir << " is missing (scripts/setup.sh)";
  const Mnist fashion = load_mnist(dir);
  EXPECT_EQ(fashion.train.count, 60000);
  EXPECT_EQ(fashion.test.count, 10000);
  EXPECT_EQ(fashion.test.rows, 28);
  EXPECT_EQ(fashion.test.labels[0], 9);  // an ankle boot
}

}  // namespace
}  // namespace digitrain
