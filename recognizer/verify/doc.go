// Package verify scores how well a rectified card agrees with catalogue
// reference images by local features: ORB keypoints, brute-force Hamming
// matching with Lowe's ratio test, and the RANSAC inliers of a homography
// that must look like the near-identity map between two upright cards.
// Reference descriptors are cached in a bounded LRU keyed by path.
package verify
