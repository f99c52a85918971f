// eval.json and the printed table where the ROC AUC is undefined (every cell
// of one class): JSON null and "n/a" with the reason, not the 0.0 it was.
#include <gtest/gtest.h>

#include <cmath>

#include "base/json.h"
#include "train/checkpoint_eval.h"
#include "train/evaluate.h"

namespace ctcscope {
namespace {

CheckpointEval one_class_eval() {
  CheckpointEval e;
  e.checkpoint = "runs/a/best.safetensors";
  e.metrics.n = 3;
  e.metrics.confusion = {{3, 0}, {0, 0}};
  e.auc = std::nan("");
  return e;
}

TEST(CheckpointEvalJson, UndefinedAucIsNullNotZero) {
  const JsonValue v = json_parse(checkpoint_eval_json(one_class_eval()), "eval.json");
  ASSERT_NE(v.find("roc_auc"), nullptr);
  EXPECT_TRUE(v.find("roc_auc")->is_null());
  EXPECT_EQ(v.find("checkpoint")->as_string(), "runs/a/best.safetensors");
  EXPECT_EQ(v.find("confusion")->as_array()[0].as_array()[0].as_integer(), 3);
}

TEST(CheckpointEvalJson, DefinedAucIsWrittenExactly) {
  CheckpointEval e = one_class_eval();
  e.auc = 0.8125;
  EXPECT_EQ(json_parse(checkpoint_eval_json(e), "eval.json").find("roc_auc")->as_number(), 0.8125);
}

TEST(MetricsTable, UndefinedAucReadsNaWithTheReason) {
  const CheckpointEval e = one_class_eval();
  const std::string table = metrics_table(e.metrics, e.auc);
  EXPECT_NE(table.find("ROC AUC                n/a (the cells are all of one class)"), std::string::npos) << table;
}

}  // namespace
}  // namespace ctcscope
