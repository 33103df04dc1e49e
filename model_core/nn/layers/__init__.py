"""The layers of the network, and the registry that rebuilds them from their config."""

from model_core.nn.layers.activations import ReLU, Sigmoid, Tanh
from model_core.nn.layers.base import Layer
from model_core.nn.layers.batchnorm import BatchNorm
from model_core.nn.layers.bias import Bias
from model_core.nn.layers.conv import Conv2D
from model_core.nn.layers.dense import Dense
from model_core.nn.layers.dropout import Dropout
from model_core.nn.layers.flatten import Flatten
from model_core.nn.layers.frames import FrameConv, ToFrames
from model_core.nn.layers.pooling import AvgPool2D, MaxPool2D

LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls
    for cls in (
        Conv2D,
        MaxPool2D,
        AvgPool2D,
        Dense,
        ReLU,
        Sigmoid,
        Tanh,
        Flatten,
        Dropout,
        BatchNorm,
        Bias,
        ToFrames,
        FrameConv,
    )
}

__all__ = [
    "LAYER_TYPES",
    "AvgPool2D",
    "BatchNorm",
    "Bias",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "FrameConv",
    "Layer",
    "MaxPool2D",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "ToFrames",
]
