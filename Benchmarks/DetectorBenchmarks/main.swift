import Detector
import Foundation

print("DetectorBenchmarks")
