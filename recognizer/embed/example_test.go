package embed_test

import (
	"context"
	"fmt"
	"image"
	"log"

	"github.com/collectorstash/csm/recognizer/embed"
)

// Embedding rectified cards for the vector search. The model card
// (models/card-embed-v2.json) is found next to the .onnx file.
func ExampleNew() {
	e, err := embed.New(embed.Config{
		ModelPath:      "models/card-embed-v2.onnx",
		IntraOpThreads: 2,
		// ExecutionProvider: "cuda", // with a CUDA build of ONNX Runtime
	})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()

	cards := []*image.RGBA{image.NewRGBA(image.Rect(0, 0, 420, 600))} // from Detector.Rectify
	vecs, err := e.Embed(context.Background(), cards)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.ModelVersion(), len(vecs[0]) == e.Dim())
}
