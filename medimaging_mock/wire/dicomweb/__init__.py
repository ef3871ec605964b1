"""The DICOMweb front: the service's QIDO-RS, WADO-RS and STOW-RS resources on dicom-medical-imaging."""
