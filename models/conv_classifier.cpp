// The checked cast to ConvClassifier.
#include "models/conv_classifier.h"

namespace ctcscope {

ConvClassifier& as_conv_classifier(Module& net) {
  auto* c = dynamic_cast<ConvClassifier*>(&net);
  CTC_CHECK(c != nullptr, net.describe(), " is not a convolutional classifier in two halves (ConvClassifier)");
  return *c;
}

}  // namespace ctcscope
