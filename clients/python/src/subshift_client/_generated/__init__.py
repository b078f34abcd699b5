# Generated, do not edit; run `subshift contracts generate`.
# Source: contracts/ (the generated part of subshift_client; private)
