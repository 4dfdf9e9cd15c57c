package detect

// uprightTemplate is the mean standardised row profile (luminance,
// chroma, texture; orientBands each, top to bottom) of upright Yu-Gi-Oh!
// cards, measured by profile on the even-numbered (sorted by file name)
// images of the shared data set; the odd-numbered ones were held out to
// measure the cue (see TestUprightCueOnDataset).
var uprightTemplate = [3 * orientBands]float64{
	// luminance
	-0.880, -0.260, -0.532, -0.350, -0.583, -0.364, -0.264, -0.222, -0.210, -0.228, -0.245, -0.252, -0.260, -0.288, -0.303, -0.329, -0.460, -0.683, 1.767, 1.343, 1.948, 1.776, 1.039, -1.160,
	// chroma
	0.030, 1.227, 1.277, 1.833, -0.056, 0.215, 0.175, 0.124, 0.088, 0.060, 0.052, 0.067, 0.072, 0.081, 0.090, 0.067, -0.030, 0.720, -1.385, -1.452, -1.414, -1.400, -0.406, -0.033,
	// texture
	-1.350, 0.356, 0.075, -0.345, -0.652, -0.070, 0.151, 0.281, 0.346, 0.392, 0.389, 0.377, 0.343, 0.297, 0.200, 0.050, -0.262, -1.181, 0.124, 2.295, -0.208, 0.631, -1.264, -0.976,
}
