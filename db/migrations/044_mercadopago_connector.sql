-- The Mercado Pago connector (src/connectors/mercadopago): connector configurations may name it.
ALTER TABLE connector_configurations DROP CONSTRAINT connector_configurations_connector_check;
ALTER TABLE connector_configurations ADD CONSTRAINT connector_configurations_connector_check
  CHECK (connector IN ('adyen', 'stripe', 'paypal', 'mollie', 'mercadopago', 'test_processor'));
