"""The math: layers, activations, losses, optimizers, the network, training and its recorded stages."""
