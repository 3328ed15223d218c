// The datasets the page offers: MNIST and Zalando's Fashion-MNIST, which has exactly MNIST's
// IDX layout (60,000 + 10,000 grey 28x28 images, labels 0-9) with clothes instead of digits.
// The same names and class names as the core's data/dataset_catalog.cpp (the CLI's
// --dataset and a model description's fit.dataset).

export const DATASETS = Object.freeze({
  mnist: Object.freeze({
    title: 'MNIST',
    folder: '',  // under the data URL: MNIST's files sit at its top
    classNames: Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']),
    about: 'MNIST: 60,000 handwritten digits to learn from, 10,000 to test on.',
    item: 'digit',
    drawn: true, // a learner can draw one on the pad
  }),
  'fashion-mnist': Object.freeze({
    title: 'Fashion-MNIST',
    folder: 'fashion-mnist/',
    classNames: Object.freeze(['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']),
    about: 'Fashion-MNIST: 60,000 small grey photos of clothes, ten kinds, to learn from, 10,000 to test on (Zalando, MIT licence).',
    item: 'image',
    drawn: false, // clothes are not drawn: the pad is replaced by a picked test image
  }),
});

export const DEFAULT_DATASET = 'mnist';

// The name of class k in `dataset` (a digit for MNIST).
export function className(dataset, k) {
  return (DATASETS[dataset] ?? DATASETS.mnist).classNames[k] ?? String(k);
}
