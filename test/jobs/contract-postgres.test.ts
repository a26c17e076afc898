import { contractSuite } from './contract';

contractSuite('postgres');
