# Generated, do not edit; run `subshift contracts generate`.
# Source: contracts/proto (package marker)
