"""The DICOMweb views of a datastore (QIDO-RS, WADO-RS, STOW-RS), computed from its image sets."""
