import './client/style.css';
import 'uplot/dist/uPlot.min.css';
import { startApp } from './client/app';

startApp(document.getElementById('app')!);
