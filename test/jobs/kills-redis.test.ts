import { killsSuite } from './kills';

killsSuite('redis');
