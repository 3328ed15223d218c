// The training loop: Keras' data handling (validation split, callbacks), divergence, and
// real MNIST reaching the tutorials' accuracy.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "layers/dense.h"
#include "model/presets.h"
#include "training/trainer.h"
#include "training/training_data.h"
#include "test_support.h"

namespace digitrain {
namespace {

std::unique_ptr<Sequential> preset_model(const std::string& name, uint64_t seed = 1) {
  return build_model(preset_spec(name), seed);
}

TEST(ValidationSplit, TakesTheLastFractionAsKerasDoes) {
  Dataset d;
  d.count = 60000;
  auto [train, val] = split_validation(all_of(d), 0.2);
  EXPECT_EQ(train.begin, 0);
  EXPECT_EQ(train.count, 48000);
  EXPECT_EQ(val.begin, 48000);
  EXPECT_EQ(val.count, 12000);
  EXPECT_ERROR(split_validation(all_of(d), 1.0), "validation_split must be in [0, 1)");
}

TEST(TrainingData, FollowsEachTutorial) {
  const Mnist& mnist = testing::real_mnist();
  const TrainingData t1 = plan_training_data(preset_spec("mlp-300-100").fit, mnist.train, mnist.test);
  EXPECT_EQ(t1.validation->begin, 0);  // T1: the first 5,000 validate
  EXPECT_EQ(t1.validation->count, 5000);
  EXPECT_EQ(t1.train.begin, 5000);
  EXPECT_EQ(t1.train.count, 55000);
  const TrainingData t2 = plan_training_data(preset_spec("mlp-128-128").fit, mnist.train, mnist.test);
  EXPECT_FALSE(t2.validation.has_value());
  EXPECT_EQ(t2.train.count, 60000);
  const TrainingData t3 = plan_training_data(preset_spec("cnn-16-8").fit, mnist.train, mnist.test);
  EXPECT_EQ(t3.validation->data, &mnist.test);  // T3: the test set validates
  EXPECT_EQ(t3.train.count, 60000);
  const TrainingData t4 = plan_training_data(preset_spec("mlp-256").fit, mnist.train, mnist.test, /*limit=*/1000);
  EXPECT_EQ(t4.validation->begin, 48000);  // T4: validation_split 0.2
  EXPECT_EQ(t4.validation->count, 12000);
  EXPECT_EQ(t4.train.count, 1000);
}

TEST(Presets, ParameterCountsMatchTheTutorials) {
  EXPECT_EQ(preset_model("mlp-300-100")->param_count(), 266610);
  EXPECT_EQ(preset_model("mlp-128-128")->param_count(), 118282);
  EXPECT_EQ(preset_model("cnn-16-8")->param_count(), 47410);
  EXPECT_EQ(preset_model("mlp-256")->param_count(), 203530);
  EXPECT_EQ(preset_model("fashion-mlp-128")->param_count(), 101770);  // TensorFlow's "Basic classification"
  EXPECT_ERROR(preset_spec("mlp-999"), "unknown preset 'mlp-999' (known presets: cnn-16-8, fashion-mlp-128, keras-convnet, mlp-128-128");
}

TEST(Presets, SummaryIsKerasStyle) {
  const std::string s = preset_model("mlp-300-100")->summary();
  EXPECT_NE(s.find(" hiddenLayer1 (Dense)        (None, 300)               235500"), std::string::npos) << s;
  EXPECT_NE(s.find("Total params: 266,610"), std::string::npos) << s;
}

TEST(Trainer, CallbacksSeeRunningMeansAndCanStop) {
  const Mnist& mnist = testing::real_mnist();
  auto model = preset_model("mlp-128-128");
  Trainer trainer(*model, head(all_of(mnist.train), 640), std::nullopt, {/*batch_size=*/32, /*epochs=*/3, true, 1});
  int batches = 0;
  Callbacks cb;
  cb.on_batch_end = [&](const BatchLogs& logs) {
    ++batches;
    EXPECT_EQ(logs.steps_per_epoch, 20);
    EXPECT_GT(logs.loss, 0.0);
    return batches < 25;  // stop in the second epoch
  };
  const History h = trainer.fit(cb);
  EXPECT_EQ(batches, 25);
  EXPECT_EQ(trainer.total_steps(), 25);
  EXPECT_TRUE(h.stopped_early);
  EXPECT_EQ(h.epochs.size(), 1u);
}

TEST(Trainer, RunsInSlicesLikeTheWorker) {
  const Mnist& mnist = testing::real_mnist();
  auto model = preset_model("mlp-128-128");
  const Samples train = head(all_of(mnist.train), 1000);
  Trainer trainer(*model, train, head(all_of(mnist.test), 200), {/*batch_size=*/64, /*epochs=*/2, true, 1});
  EXPECT_EQ(trainer.steps_per_epoch(), 16);  // 15 full batches and one of 40
  int calls = 0;
  while (trainer.run(7)) ++calls;
  EXPECT_EQ(trainer.total_steps(), 32);
  EXPECT_EQ(calls, 4);
  ASSERT_EQ(trainer.history().epochs.size(), 2u);
  EXPECT_TRUE(trainer.history().epochs[1].has_validation);
  EXPECT_GT(trainer.history().epochs[1].val_accuracy, 0.5);
}

// STYLE.md's smoke test: with a fixed seed the loss on 512 images falls below half its
// start within 50 steps.
TEST(Trainer, LossHalvesWithinFiftySteps) {
  const Mnist& mnist = testing::real_mnist();
  for (const std::string preset : {"mlp-300-100", "mlp-128-128", "cnn-16-8", "mlp-256"}) {
    ModelSpec spec = preset_spec(preset);
    // T1's SGD at 0.01 needs a few hundred steps to halve the loss; 0.1 tests the same code.
    if (spec.optimizer["class_name"] == "SGD") spec.optimizer["config"]["learning_rate"] = 0.1;
    auto model = build_model(spec, 3);
    const Samples samples = head(all_of(mnist.train), 512);
    const double start = model->evaluate(samples).loss;
    Trainer trainer(*model, samples, std::nullopt, {/*batch_size=*/32, /*epochs=*/100, true, 3});
    trainer.run(50);
    EXPECT_LT(model->evaluate(samples).loss, start / 2) << preset << " from " << start;
  }
}

TEST(Trainer, DivergenceStopsAndKeepsTheLastGoodWeights) {
  const Mnist& mnist = testing::real_mnist();
  ModelSpec spec = preset_spec("mlp-300-100");
  spec.optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", 1000.0}}}};
  auto model = build_model(spec, 1);
  Trainer trainer(*model, head(all_of(mnist.train), 6400), std::nullopt, {32, 1, true, 1});
  const History h = trainer.fit();
  ASSERT_TRUE(h.stopped_diverged) << "a learning rate of 1000 should diverge";
  EXPECT_NE(h.error.find("the loss became"), std::string::npos) << h.error;
  EXPECT_NE(h.error.find("the learning rate 1000 is far too high; try 0.01"), std::string::npos) << h.error;
  EXPECT_EQ(h.restored_step, 0);
  for (const Param& p : model->params())
    for (long i = 0; i < p.size; ++i) ASSERT_TRUE(std::isfinite(p.value[i])) << p.name << "[" << i << "]";
  EXPECT_TRUE(std::isfinite(model->evaluate(head(all_of(mnist.test), 100)).loss));
}

// Weights from while the loss was climbing are finite but useless; the kept ones must
// still be the model that trained well before the learning rate was raised.
TEST(Trainer, DivergenceKeepsWeightsFromBeforeTheLossClimbed) {
  const Mnist& mnist = testing::real_mnist();
  auto model = build_model(preset_spec("mlp-300-100"), 1);
  Trainer trainer(*model, head(all_of(mnist.train), 32000), std::nullopt, {32, 1, true, 1});
  trainer.run(350);
  const double trained = model->evaluate(head(all_of(mnist.test), 1000)).accuracy;
  ASSERT_GT(trained, 0.8);
  model->optimizer()->set_learning_rate(1000.0f);
  trainer.fit();
  ASSERT_TRUE(trainer.history().stopped_diverged);
  EXPECT_GT(trainer.history().restored_step, 0);
  EXPECT_GT(model->evaluate(head(all_of(mnist.test), 1000)).accuracy, trained - 0.05);
}

// An infinite weight on a pixel no image lights (the corner) leaves the loss finite, since
// the sparse first layer skips that row; the snapshot taken then must not keep it. A NaN on
// a central pixel then makes the loss NaN, and the weights restored are finite.
TEST(Trainer, NeverKeepsNonFiniteWeightsAsTheGoodOnes) {
  const Mnist& mnist = testing::real_mnist();
  auto model = build_model(preset_spec("mlp-300-100"), 1);
  Trainer trainer(*model, head(all_of(mnist.train), 32000), std::nullopt, {32, 1, true, 1});
  trainer.run(50);
  Dense& first = dynamic_cast<Dense&>(*model->layers()[1]);
  first.kernel()(0, 5) = std::numeric_limits<float>::infinity();  // pixel (0, 0): never lit
  trainer.run(100);  // takes a snapshot at step 100 with that weight
  ASSERT_TRUE(trainer.history().error.empty()) << "the loss stayed finite: the row was skipped";
  first.kernel().row(14 * 28 + 14).setConstant(std::numeric_limits<float>::quiet_NaN());
  trainer.run(5);
  ASSERT_TRUE(trainer.history().stopped_diverged);
  for (const Param& p : model->params())
    for (long i = 0; i < p.size; ++i) ASSERT_TRUE(std::isfinite(p.value[i])) << p.name << "[" << i << "]";
}

// Momenta built on the diverged weights are dropped with them: the same model then trains
// normally at a sane learning rate.
TEST(Trainer, AfterDivergenceTheOptimizerStartsClean) {
  const Mnist& mnist = testing::real_mnist();
  ModelSpec spec = preset_spec("mlp-300-100");
  spec.optimizer = {{"class_name", "SGD"}, {"config", {{"learning_rate", 1000.0}, {"momentum", 0.9}}}};
  auto model = build_model(spec, 1);
  ASSERT_TRUE(Trainer(*model, head(all_of(mnist.train), 3200), std::nullopt, {32, 1, true, 1}).fit().stopped_diverged);
  model->optimizer()->set_learning_rate(0.01f);
  Trainer again(*model, head(all_of(mnist.train), 20000), std::nullopt, {32, 1, true, 2});
  const History h = again.fit();
  EXPECT_TRUE(h.error.empty()) << h.error;
  EXPECT_EQ(again.total_steps(), 625);
}

// ---- The divergence watch (training/divergence.h) ------------------------------------

// Synthetic runs: the three findings, each said with its figures, and reported once.
TEST(DivergenceWatch, SeesALossThatClimbsFromItsStart) {
  DivergenceWatch watch;
  EXPECT_FALSE(watch.observe(2.30, 0.1));
  std::optional<Divergence> found;
  int step = 1;
  while (!found && step < 100) found = watch.observe(14.7, 0.1), ++step;
  ASSERT_TRUE(found);
  EXPECT_EQ(found->kind, DivergenceKind::loss_rose);
  EXPECT_EQ(found->what, "the loss rose from 2.30 to 14.7 in " + std::to_string(step) + " steps");
  EXPECT_LT(step, 10) << "a climb to 14.7 is seen within a few steps";
  EXPECT_FALSE(watch.observe(15.0, 0.1)) << "reported once";
}

TEST(DivergenceWatch, SeesAClimbFromTheTrainedLossAndAFallBackToChance) {
  DivergenceWatch watch;
  watch.observe(2.30, 0.1);
  for (int i = 0; i < 500; ++i) ASSERT_FALSE(watch.observe(0.1, 0.97)) << i;
  std::optional<Divergence> found;
  for (int i = 0; i < 100 && !found; ++i) found = watch.observe(1.6, 0.5);
  ASSERT_TRUE(found) << "from 0.1 to 1.6 is a climb once the run had learned";
  EXPECT_EQ(found->kind, DivergenceKind::loss_rose);
  EXPECT_NE(found->what.find("the loss rose from 0.10 to 1.60 in"), std::string::npos) << found->what;

  DivergenceWatch fell;
  fell.observe(2.30, 0.1);
  for (int i = 0; i < 500; ++i) fell.observe(0.3, 0.92);
  found.reset();
  for (int i = 0; i < 200 && !found; ++i) found = fell.observe(0.4, 0.1);  // loss still low: only accuracy says it
  ASSERT_TRUE(found);
  EXPECT_EQ(found->kind, DivergenceKind::accuracy_fell);
  EXPECT_NE(found->what.find("the accuracy fell from 0.92 back to 0.20, chance level, in"), std::string::npos) << found->what;
}

TEST(DivergenceWatch, StuckAtChanceOnlyAfterAViolentStart) {
  // Dead units: a spike, then ln 10 and chance accuracy for good.
  DivergenceWatch dead;
  dead.observe(2.30, 0.1);
  for (int i = 0; i < 3; ++i) dead.observe(2.5, 0.1);
  dead.observe(5.1, 0.1);  // one spike: the running loss stays under twice the start
  std::optional<Divergence> found;
  long step = dead.steps();
  while (!found && step < 1000) found = dead.observe(2.3026, 0.1), ++step;
  ASSERT_TRUE(found);
  EXPECT_EQ(found->kind, DivergenceKind::stuck_at_chance);
  EXPECT_EQ(step, 300);
  EXPECT_EQ(found->what, "after 300 steps the loss is stuck at 2.30 and the accuracy at 0.10, chance level: the network stopped learning");
  // A rate that is merely too small: the same flat loss and accuracy, but no spike.
  DivergenceWatch slow;
  for (int i = 0; i < 2000; ++i) ASSERT_FALSE(slow.observe(2.30 - i * 1e-5, 0.1)) << i;
  // cnn-16-8 starts near 13: a tiny rate leaves it high and at chance, never "stuck".
  DivergenceWatch raw;
  for (int i = 0; i < 2000; ++i) ASSERT_FALSE(raw.observe(13.6 - i * 5e-4, 0.11)) << i;
}

TEST(DivergenceWatch, NoisyButHealthyRunsPass) {
  // Batch losses swinging by a factor of three around a falling trend, accuracy dipping.
  DivergenceWatch watch;
  Rng rng(5);
  for (int i = 0; i < 20000; ++i) {
    const double trend = 0.05 + 2.25 * std::exp(-i / 300.0);
    // The first batch is computed before any update: its loss is the model's, not noise.
    const double loss = i == 0 ? trend : trend * (0.4 + 1.6 * rng.uniform());
    ASSERT_FALSE(watch.observe(loss, std::min(1.0, 0.1 + 0.88 * (1 - std::exp(-i / 200.0)) + 0.1 * (rng.uniform() - 0.5))))
        << i;
  }
}

// Real MNIST: a rate of 10 on every preset and both optimizers diverges, and says so,
// within a known number of steps (a step count, not a time).
TEST(RealMnist, RateTenDivergesOnEveryPresetAndOptimizer) {
  const Mnist& mnist = testing::real_mnist();
  for (const std::string preset : {"mlp-300-100", "mlp-128-128", "mlp-256", "cnn-16-8"}) {
    for (const std::string optimizer : {"Adam", "SGD"}) {
      ModelSpec spec = preset_spec(preset);
      spec.optimizer = {{"class_name", optimizer}, {"config", {{"learning_rate", 10.0}}}};
      auto model = build_model(spec, 1);
      const TrainingData data = plan_training_data(spec.fit, mnist.train, mnist.test);
      Trainer trainer(*model, data.train, std::nullopt, {spec.fit.batch_size, 1, true, 1, /*stop_on_divergence=*/true});
      trainer.run(400);
      const History& h = trainer.history();
      const std::string which = preset + " " + optimizer;
      ASSERT_TRUE(h.stopped_diverged) << which << " still training after " << trainer.total_steps() << " steps";
      // The MLPs climb within 10 steps; cnn-16-8 (a loss that starts at 13 cannot climb
      // far) reaches NaN with SGD, or is stuck at chance by step 300 with Adam.
      EXPECT_LE(trainer.total_steps(), preset == "cnn-16-8" ? 300 : 10) << which << ": " << h.error;
      EXPECT_NE(h.error.find("the learning rate 10 is far too high; try " +
                             std::string(optimizer == "SGD" ? "0.01" : "0.001")), std::string::npos)
          << which << ": " << h.error;
      // Nothing better than the start was seen (cnn-16-8's dead network at step 100 has a
      // lower loss than its raw-pixel start, and is as useless).
      EXPECT_LE(h.restored_step, preset == "cnn-16-8" ? 200 : 0) << which;
      for (const Param& p : model->params())
        for (long i = 0; i < p.size; ++i) ASSERT_TRUE(std::isfinite(p.value[i])) << which << " " << p.name;
    }
  }
}

// Every preset at its tutorial's rate trains past the steps where the watch could object
// (the loss's start, the first few hundred steps) without a word; full runs were checked
// too (docs/training.md: T1's 30 epochs, T2's 10, T3's 5, T4's 10).
TEST(RealMnist, TutorialRatesNeverTripTheWatch) {
  const Mnist& mnist = testing::real_mnist();
  for (const std::string preset : {"mlp-300-100", "mlp-128-128", "mlp-256", "cnn-16-8"}) {
    ModelSpec spec = preset_spec(preset);
    auto model = build_model(spec, 1);
    const TrainingData data = plan_training_data(spec.fit, mnist.train, mnist.test);
    Trainer trainer(*model, data.train, std::nullopt, {spec.fit.batch_size, 1, true, 1, /*stop_on_divergence=*/true});
    // Past the 300 steps after which a run at chance counts as stuck; the later epochs
    // (full runs, docs/training.md) were checked once, being too long for every test run.
    trainer.run(preset == "cnn-16-8" ? 320 : 600);
    EXPECT_TRUE(trainer.history().error.empty()) << preset << ": " << trainer.history().error;
  }
}

// A rate raised to 10 mid-run: the run stops and the best weights it saw come back, not
// the start and not the wreck.
TEST(RealMnist, RateRaisedMidRunRestoresTheBestWeights) {
  const Mnist& mnist = testing::real_mnist();
  auto model = build_model(preset_spec("mlp-128-128"), 1);
  Trainer trainer(*model, all_of(mnist.train), std::nullopt, {32, 1, true, 1, /*stop_on_divergence=*/true});
  trainer.run(1000);
  ASSERT_TRUE(trainer.history().error.empty()) << trainer.history().error;
  const double trained = model->evaluate(head(all_of(mnist.test), 2000)).accuracy;
  ASSERT_GT(trained, 0.9);
  model->optimizer()->set_learning_rate(10.0f);
  trainer.run(1000);
  const History& h = trainer.history();
  ASSERT_TRUE(h.stopped_diverged);
  EXPECT_EQ(h.error.rfind("the loss rose from 0.", 0), 0u) << h.error;
  EXPECT_GE(h.restored_step, 800);
  EXPECT_LE(h.restored_step, 1000);
  EXPECT_GT(model->evaluate(head(all_of(mnist.test), 2000)).accuracy, trained - 0.02);
}

// Keras' behaviour without stop_on_divergence: the run goes on, the callback hears it once.
TEST(Trainer, WithoutStopOnDivergenceTheRunGoesOnAndWarnsOnce) {
  const Mnist& mnist = testing::real_mnist();
  ModelSpec spec = preset_spec("mlp-128-128");
  spec.optimizer = {{"class_name", "Adam"}, {"config", {{"learning_rate", 10.0}}}};
  auto model = build_model(spec, 1);
  Trainer trainer(*model, head(all_of(mnist.train), 3200), std::nullopt, {32, 1, true, 1});
  int warnings = 0;
  Callbacks callbacks;
  callbacks.on_divergence = [&](const std::string& message) {
    ++warnings;
    EXPECT_EQ(message.rfind("the loss rose from 2.", 0), 0u) << message;
  };
  const History h = trainer.fit(callbacks);
  EXPECT_EQ(warnings, 1);
  EXPECT_FALSE(h.stopped_diverged);
  EXPECT_EQ(trainer.total_steps(), 100);
}

TEST(Trainer, RejectsBadOptions) {
  const Mnist& mnist = testing::real_mnist();
  auto model = preset_model("mlp-128-128");
  EXPECT_ERROR(Trainer(*model, all_of(mnist.train), std::nullopt, {0, 1, true, 1}), "batch size must be between 1");
  EXPECT_ERROR(Trainer(*model, head(all_of(mnist.train), 0), std::nullopt, {32, 1, true, 1}), "no training samples");
}

// The tutorials' accuracy on real MNIST, with a budget small enough for every test run.
TEST(RealMnist, Mlp128ReachesNinetyFivePercentInOneEpoch) {
  const Mnist& mnist = testing::real_mnist();
  auto model = preset_model("mlp-128-128");
  Trainer(*model, all_of(mnist.train), std::nullopt, {32, 1, true, 1}).fit();
  const EvalResult test = model->evaluate(all_of(mnist.test));
  EXPECT_GE(test.accuracy, 0.95);
  EXPECT_LT(test.loss, 0.2);
}

TEST(RealMnist, CnnReachesEightyFivePercentOnSixThousandImages) {
  const Mnist& mnist = testing::real_mnist();
  ModelSpec spec = preset_spec("cnn-16-8");
  auto model = build_model(spec, 1);
  const TrainingData data = plan_training_data(spec.fit, mnist.train, mnist.test, /*limit=*/6000);
  Trainer(*model, data.train, std::nullopt, {32, 1, true, 1}).fit();
  EXPECT_GE(model->evaluate(all_of(mnist.test)).accuracy, 0.85);
}

}  // namespace
}  // namespace digitrain
